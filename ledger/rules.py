"""Rules on the input of the ledger's services, whoever calls them (pages, API, CLI).

Each function raises `ValidationError({field: French message})`; the pages show the message at
their field and the API answers 422 with it, so that a rule is stated once, here, and never
only in a form. Amounts may come as text (the CLI, a script): they are read by `core.money`.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business
from core.dates import check_dates
from core.money import parse_amount
from ledger.models import ZERO, Client, Invoice

INVOICE_AMOUNTS = ("total_excl_tax", "vat_amount", "total_incl_tax")


def _amounts(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """`data` with the amounts among `fields` read into Decimal (None stays None)."""
    parsed = dict(data)
    errors: dict[str, list[str]] = {}
    for field in fields:
        if data.get(field) is not None:
            try:
                parsed[field] = parse_amount(data[field])
            except ValidationError as error:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return parsed


def vat_franchise_message() -> str:
    return _(
        "Votre entreprise est en franchise en base de TVA (art. 293 B du CGI) : la facture ne peut pas porter de TVA."
    )


def checked_invoice_data(business: Business, data: dict[str, Any], invoice: Invoice | None = None) -> dict[str, Any]:
    """The invoice fields given, amounts read; refuses dates out of bounds and VAT in franchise.

    A business in VAT franchise (art. 293 B du CGI) invoices without VAT. An invoice that
    already carries VAT, issued before the business left VAT, keeps it.
    """
    check_dates(issue_date=data.get("issue_date"), due_date=data.get("due_date"))
    data = _amounts(data, INVOICE_AMOUNTS)
    vat = data.get("vat_amount")
    in_franchise = business.vat_status == Business.VatStatus.FRANCHISE
    if in_franchise and vat is not None and vat > 0 and (invoice is None or invoice.vat_amount == ZERO):
        raise ValidationError({"vat_amount": vat_franchise_message()})
    return data


def checked_payment_amount(*, date: Any, amount: Any) -> Decimal:
    """A payment is received, so not dated after today (Europe/Paris); returns the amount read."""
    check_dates(date=date)
    parsed: Decimal = _amounts({"amount": amount}, ("amount",))["amount"]
    if isinstance(date, dt.date) and date > timezone.localdate():
        raise ValidationError({"date": _("Un règlement ne peut pas être daté dans le futur.")})
    return parsed


def checked_credit_note_amount(*, date: Any, amount: Any) -> Decimal:
    check_dates(date=date)
    parsed: Decimal = _amounts({"amount": amount}, ("amount",))["amount"]
    return parsed


def check_pause_end(
    *, paused: bool, until: dt.date | None, field: str, stored_paused: bool = False, stored_until: dt.date | None = None
) -> None:
    """A pause of the reminders cannot end in the past (it would be no pause at all).

    A pause kept as it is stored passes, so that a client whose pause has ended can still be
    edited without touching it.
    """
    check_dates(**{field: until})
    if not paused or until is None or until >= timezone.localdate():
        return
    if stored_paused and stored_until == until:
        return
    raise ValidationError({field: _("Cette date est déjà passée : choisissez une date à venir ou laissez vide.")})


def check_client_data(data: dict[str, Any], client: Client | None = None) -> None:
    """The client fields given (all on creation, the changed ones on update)."""
    stored_paused = client.reminders_paused if client is not None else False
    stored_until = client.pause_until if client is not None else None
    check_pause_end(
        paused=data.get("reminders_paused", stored_paused),
        until=data.get("pause_until", stored_until),
        field="pause_until",
        stored_paused=stored_paused,
        stored_until=stored_until,
    )
