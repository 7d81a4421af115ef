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
