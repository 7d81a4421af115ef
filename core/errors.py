"""Domain errors that every service raises and every interface turns into its own message.

A service never raises an HTTP type: pages answer 409 with a message above the form, the API a
409 JSON error, the CLI exit 1. Invalid input is Django's `ValidationError` (field → French
message), which pages show at the field and the API answers as 422.
"""


class Conflict(Exception):
    """The object's state forbids the change (HTTP 409 in the API)."""


class NotFound(LookupError):
    """What the service was asked to act on does not exist for this business (HTTP 404).

    Another business's id is not found either: a tenant never learns that it exists.
    """


class BatchErrors(Exception):
    """Items of a batch that a service refused: nothing of the batch was written.

    A batch service (many rows in one write, for an import) checks each item as its one-row
    service would, in order, as if the items had come one after another and each refused one had
    written nothing. `errors` maps the index of each refused item to the `ValidationError`,
    `Conflict` or `NotFound` that the one-row service raises for it.
    """

    def __init__(self, errors: dict[int, Exception]) -> None:
        super().__init__(errors)
        self.errors = errors
