"""Types shared by the API's schemas: money, dates, text, ids, error bodies, pagination.

Input is checked here for its form (a number with at most two decimals, an ISO date, a text
of bounded length without NUL); the services check the rules (over-payment, duplicates…).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Field as ModelField
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import AfterValidator, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema, field_validator

from api.errors import custom_error
from core.dates import MAX_YEAR, MIN_YEAR, in_range
from core.formats import CENT, quantize
from core.ids import MAX_ID
from core.money import has_foreign_digits

MAX_OFFSET = 10**9
MAX_WHOLE_DIGITS = 10  # DecimalField(max_digits=12, decimal_places=2)
MAX_NOTES = 10_000

MONEY_INPUT_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
MONEY_OUTPUT_PATTERN = r"^-?\d+\.\d{2}$"
_MONEY_TEXT = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_money(value: Any) -> Decimal:
    """A JSON string ("1234.50") or number (1234.5) → Decimal with 2 places; never via float maths."""
    if isinstance(value, bool):
        raise custom_error("money_invalid")
    if isinstance(value, str):
        text = value.strip()
        if has_foreign_digits(text):
            raise custom_error("money_digits")
        if not _MONEY_TEXT.match(text):
            raise custom_error("money_invalid")
        amount = Decimal(text)
    elif isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        # repr() is the shortest text that reads back as this float: 0.1 → "0.1", not 0.1000000000000000055…
        amount = Decimal(repr(value))
    else:
        raise custom_error("money_invalid")
    if not amount.is_finite():
        raise custom_error("money_invalid")
    if amount < 0:
        raise custom_error("money_negative")
    if amount >= Decimal(10) ** MAX_WHOLE_DIGITS:
        raise custom_error("money_too_large")
    try:
        if amount != amount.quantize(CENT):
            raise custom_error("money_places")
    except InvalidOperation:
        raise custom_error("money_invalid") from None
    return quantize(amount)


def parse_date(value: Any) -> dt.date:
    """Only "AAAA-MM-JJ": no timestamps, no date-times, no other spelling."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise custom_error("date_invalid") from None
    else:
        raise custom_error("date_invalid")
    if not in_range(day):
        raise custom_error("date_out_of_range")
    return day


def check_email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise custom_error("email_invalid") from None
    return value


MoneyIn = Annotated[
    Decimal,
    PlainValidator(parse_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MONEY_INPUT_PATTERN},
                {"type": "number", "minimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
            ],
            "description": 'Montant en euros, deux décimales au maximum : "1234.50" ou 1234.5.',
            "examples": ["1234.50"],
        }
    ),
]
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{quantize(value):.2f}", return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_OUTPUT_PATTERN,
            "description": "Montant en euros, chaîne à deux décimales.",
            "examples": ["1234.50"],
        }
    ),
]
IsoDate = Annotated[
    dt.date,
    PlainValidator(parse_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": f"Date ISO AAAA-MM-JJ (années {MIN_YEAR} à {MAX_YEAR}).",
            "examples": ["2026-03-31"],
        }
    ),
]
Email = Annotated[str, Field(max_length=254), AfterValidator(check_email)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def max_length(model: type[Model], field: str) -> int:
    """The column's own limit, so that the API never lets the database truncate or refuse."""
    column = model._meta.get_field(field)
    if not isinstance(column, ModelField) or column.max_length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{field} has no max_length")
    return int(column.max_length)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**constraints: Any) -> Any:
    """A PATCH field that may be left out but, when present, must not be null.

    The None default is never validated (pydantic does not validate defaults) and is dropped
    from the OpenAPI document, so the field reads as "optional, not nullable".
    """
    return Field(None, json_schema_extra=_no_default, **constraints)


class CleanText(Schema):
    """Strips surrounding spaces, as the pages' forms do, and refuses NUL, which PostgreSQL cannot store."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise custom_error("null_character")
        return value


class InputSchema(CleanText):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageParams(PaginationBase.Input):
    limit: int = Field(50, ge=1, le=200, description="Nombre d’éléments par page (200 au maximum).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Nombre d’éléments à sauter.")


class LimitOffset(PaginationBase):
    """django-ninja's pagination with the API's bounds: `limit` and `offset` in the query,
    `{"items": [...], "count": n}` in the response, in two queries whatever the page.

    A list route declares `response={200: list[ItemOut], ...}`, is decorated with
    `@paginate(LimitOffset)` and returns a queryset."""

    Input: type[PaginationBase.Input] = PageParams

    class Output(Schema):
        items: list[Any]
        count: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: PageParams, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        end = pagination.offset + pagination.limit
        return {"items": queryset[pagination.offset : end], "count": self._items_count(queryset)}


class ErrorOut(Schema):
    detail: str = Field(description="Message en français.")


class FieldError(Schema):
    loc: list[str | int] = Field(description='Où est l’erreur, par exemple ["body", "amount"].')
    msg: str = Field(description="Message en français.")
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


UNAUTHENTICATED: dict[int, Any] = {401: ErrorOut}
LIST_ERRORS: dict[int, Any] = {**UNAUTHENTICATED, 422: ValidationErrorOut}
READ_ERRORS: dict[int, Any] = {**LIST_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut}
