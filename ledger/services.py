"""Workflows on clients, invoices, payments and credit notes.

Pages, API and CLI call these functions; they validate, write in one transaction, record
the audit trail, and raise `ValidationError` (field → French message) or `Conflict`.

A change re-reads its row under a lock, checks its rules on that copy and saves only the
fields it changed, so that two requests on one row take turns and the second sees the first.
The lock is `select_for_update(of=("self",), no_key=True)`. `of` takes the row itself, not the
client's and business's rows the query joins: locking those made a payment and a reminder being
frozen wait on each other, and PostgreSQL aborted one as a deadlock. `no_key` (PostgreSQL's FOR
NO KEY UPDATE) still lets other transactions insert rows that refer to the locked one (audit
events, payments, reminder lines) instead of queueing them behind it.

An import writes many rows at once through the batch services (`create_clients`,
`create_invoices`, `record_payments`): the checks of their one-row service, item by item, under
one books version and one lock query, the rows and their audit events written a few hundred to
a statement.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business, User
from accounts.services import books_changed
from core.audit import event, jsonable, record, record_many
from core.dates import check_dates
from core.errors import BatchErrors, Conflict, NotFound
from core.formats import money as _euros
from core.text import check_one_line
from law.terms import due_date_for
from ledger import rules
from ledger.models import ZERO, Client, CreditNote, Invoice, Payment
from ledger.validators import validate_invoice_pdf

CLIENT_FIELDS = [
    "kind",
    "name",
    "contact_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "siren",
    "notes",
    "reminders_paused",
    "pause_reason",
    "pause_until",
]
INVOICE_FIELDS = [
    "client",
    "number",
    "issue_date",
    "due_date",
    "total_excl_tax",
    "vat_amount",
    "total_incl_tax",
    "notes",
]
# Rows a batch service writes in one INSERT or UPDATE (SQLite takes fewer: Django splits them).
BULK = 500


@contextmanager
def _writing_books(row: Business | Client | Invoice | Payment) -> Iterator[None]:
    """The transaction of every write below: it starts by drawing a new version of the books of
    `row`'s business, so a late-payment summary cached for the old one is never served again.

    First, before any row lock: every writer then waits for the business in the same place,
    and one transaction that writes several invoices (an import, a bank statement) cannot
    hold one invoice while another waits for the business it holds. The caller's copy of the
    business, when it has one loaded, gets the new version too, so that its next summary is
    read for the books as they are now. Inside another block of the same business's books (see
    `writing_books`), the version that block drew stands for both.
    """
    business_id = row.pk if isinstance(row, Business) else row.business_id
    drawn = _drawn_versions.get() or {}
    with transaction.atomic():
        version, opened = drawn.get(business_id), None
        if version is None:
            version = books_changed(business_id)
            opened = _drawn_versions.set({**drawn, business_id: version})
        held = row if isinstance(row, Business) else _loaded_business(row)
        if held is not None:
            held.books_version = version
        try:
            yield
        finally:
            if opened is not None:
                _drawn_versions.reset(opened)


# The versions drawn by the `_writing_books` blocks open in this context, by business. A write
# inside one of them draws none of its own: the enclosing block's version commits or rolls back
# with it, and the business's row is updated once. On PostgreSQL this matters for an import:
# each update of the row adds a version of it that the transaction keeps, and every foreign key
# check on the business (one per invoice and per audit event, at commit) walks them all.
_drawn_versions: ContextVar[dict[int, int] | None] = ContextVar("drawn_versions", default=None)


def writing_books(business: Business) -> AbstractContextManager[None]:
    """One transaction for many writes of the business's books (an import): the new version of
    the books is drawn once, here, and the writes of this module inside draw none of their own."""
    return _writing_books(business)


def _loaded_business(row: Client | Invoice | Payment) -> Business | None:
    descriptor = type(row).business
    return row.business if descriptor.is_cached(row) else None


def _diff(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    changes = {}
    for field, value in data.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = [jsonable(old), jsonable(value)]
    return changes


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# Clients


def _new_client(business: Business, data: dict[str, Any]) -> Client:
    """The client to create from `data`, checked: a new client's rules need no other row."""
    rules.check_client_data(data)
    client = Client(business=business, **{k: v for k, v in data.items() if k in CLIENT_FIELDS})
    _full_clean(client, exclude=["business"])
    _check_pause(client)
    return client


def create_client(*, business: Business, actor: User | None, **data: Any) -> Client:
    client = _new_client(business, data)
    with _writing_books(business):
        client.save()
        record(business=business, actor=actor, action="created", obj=client, client=client)
    return client


def create_clients(*, business: Business, actor: User | None, items: Sequence[dict[str, Any]]) -> list[Client]:
    """Many clients of `business` in one write (an import sends a few hundred at a time), each
    checked by the same function as `create_client`; returned in the order of `items`.

    One books version, the clients and their audit events written by `bulk_create`. All or
    nothing: `BatchErrors` names every refused item, and nothing is written.
    """
    errors: dict[int, Exception] = {}
    clients: list[Client] = []
    for index, data in enumerate(items):
        try:
            clients.append(_new_client(business, data))
        except ValidationError as error:
            errors[index] = error
    if errors:
        raise BatchErrors(errors)
    with _writing_books(business):
        Client.objects.bulk_create(clients, batch_size=BULK)
        record_many(
            [event(business=business, actor=actor, action="created", obj=client, client=client) for client in clients]
        )
    return clients


def update_client(*, client: Client, actor: User | None, **data: Any) -> Client:
    data = {k: v for k, v in data.items() if k in CLIENT_FIELDS}
    with _writing_books(client):
        client = _locked_client(client)
        rules.check_client_data(data, client)
        before = {field: getattr(client, field) for field in CLIENT_FIELDS}
        changes = _diff(client, data)
        for field, value in data.items():
            setattr(client, field, value)
        _full_clean(client, exclude=["business"])
        _check_pause(client)
        # Only what this change touched: a concurrent change of other fields stays.
        client.save(update_fields=[f for f in CLIENT_FIELDS if getattr(client, f) != before[f]] + ["updated_at"])
        if changes:
            record(business=client.business, actor=actor, action="updated", obj=client, changes=changes, client=client)
    return client


def _check_pause(client: Client) -> None:
    if client.reminders_paused and not client.pause_reason.strip():
        raise ValidationError({"pause_reason": _("Indiquez le motif de la pause des relances.")})
    if not client.reminders_paused:
        client.pause_reason = ""
        client.pause_until = None


def delete_client(*, client: Client, actor: User | None) -> None:
    with _writing_books(client):
        # An invoice created for the client takes the same lock (`_lock_client_of`): it either
        # committed before this check or waits and then finds the client gone.
        client = _locked_client(client)
        if client.invoices.exists():
            raise Conflict(_("Ce client a des factures : il ne peut pas être supprimé."))
        record(business=client.business, actor=actor, action="deleted", obj=client)
        client.delete()


def _locked_client(client: Client) -> Client:
    """Re-read the client under its row lock, for the checks and the write."""
    try:
        return Client.objects.select_for_update(of=("self",), no_key=True).select_related("business").get(pk=client.pk)
    except Client.DoesNotExist:
        raise NotFound("Client introuvable.") from None


def _lock_client_of(invoice: Invoice) -> None:
    """Lock the invoice's client so that it cannot be deleted before the invoice is stored.

    Taken before the invoice is validated: a client deleted in the meantime is then reported
    as such, not as the form field's "not a valid choice"."""
    if invoice.client_id is None:
        return  # the field's own validation says it is required
    locked = Client.objects.select_for_update(of=("self",), no_key=True).filter(pk=invoice.client_id)
    if locked.first() is None:
        raise ValidationError({"client": _("Client introuvable.")})


# Invoices


def default_due_date(business: Business, issue_date: dt.date) -> dt.date:
    return due_date_for(issue_date, business.payment_terms, business.payment_terms_days)


def invoice_is_locked(invoice: Invoice) -> bool:
    """An invoice that a saved or sent reminder quotes can no longer be edited (only paid,
    credited or cancelled), so that the reminder stays true to it."""
    return invoice.quoted_at is not None


def mark_quoted(*, invoice_ids: list[int], at: dt.datetime) -> list[Invoice]:
    """Lock the invoices a reminder is freezing and mark them quoted; the caller's transaction
    holds the row locks until its reminder is stored, so an edit waits and then sees the mark.

    Returns the invoices as re-read under the lock, for the reminder to render from.
    """
    invoices = list(
        Invoice.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=invoice_ids)
        .select_related("client", "business")
        .order_by("pk")
    )
    Invoice.objects.filter(pk__in=invoice_ids, quoted_at__isnull=True).update(quoted_at=at)
    return invoices


def enter_collection(*, invoice_ids: list[int], on: dt.date) -> list[Invoice]:
    """Lock the invoices a collection case takes over and mark them, so that no reminder is
    created or sent for them any more; the caller's transaction stores the case.

    Refused (`Conflict`) for an invoice another open case already holds, a cancelled or a paid
    one. Returns the invoices as re-read under the lock, the oldest due date first.
    """
    invoices = list(
        Invoice.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=invoice_ids)
        .select_related("client", "business")
        .order_by("pk")
    )
    for invoice in invoices:
        if invoice.in_collection_since is not None:
            raise Conflict(
                _("La facture n° %(number)s est déjà en recouvrement dans un dossier ouvert.")
                % {"number": invoice.number}
            )
        if invoice.cancelled_at is not None:
            raise Conflict(
                _("La facture n° %(number)s est annulée : elle ne se met pas en recouvrement.")
                % {"number": invoice.number}
            )
        if invoice.amount_due <= 0:
            raise Conflict(_("La facture n° %(number)s est réglée : rien à recouvrer.") % {"number": invoice.number})
    Invoice.objects.filter(pk__in=invoice_ids).update(in_collection_since=on)
    for invoice in invoices:
        invoice.in_collection_since = on
    return sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.number))


def leave_collection(*, invoice_ids: list[int]) -> None:
    """The case that held the invoices is over: they may be reminded again (if still due)."""
    list(Invoice.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=invoice_ids).order_by("pk"))
    Invoice.objects.filter(pk__in=invoice_ids).update(in_collection_since=None)


def _check_pdf(data: dict[str, Any]) -> None:
    upload = data.get("pdf")
    if isinstance(upload, UploadedFile):
        try:
            validate_invoice_pdf(upload)
        except ValidationError as error:
            raise ValidationError({"pdf": error.messages}) from None


def _check_invoice(invoice: Invoice, taken: set[str] | None = None) -> None:
    """The invoice's rules that involve other fields or rows; `taken`: the numbers the business
    already uses, when a batch has read them all at once (otherwise one query here)."""
    errors: dict[str, str] = {}
    if invoice.client_id is not None and invoice.client.business_id != invoice.business_id:
        errors["client"] = _("Client introuvable.")
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = _("L’échéance ne peut pas précéder la date de facture.")
    amounts = (invoice.total_excl_tax, invoice.vat_amount, invoice.total_incl_tax)
    if None not in amounts and invoice.total_excl_tax + invoice.vat_amount != invoice.total_incl_tax:
        errors["total_incl_tax"] = _("Le total TTC doit être égal au total HT plus la TVA.")
    if invoice.number and (invoice.number in taken if taken is not None else _number_taken(invoice)):
        errors["number"] = _("Une facture n° %(number)s existe déjà.") % {"number": invoice.number}
    if errors:
        raise ValidationError(errors)


def _number_taken(invoice: Invoice) -> bool:
    duplicate = Invoice.objects.filter(business_id=invoice.business_id, number=invoice.number)
    if invoice.pk:
        duplicate = duplicate.exclude(pk=invoice.pk)
    return duplicate.exists()


def _new_invoice(business: Business, data: dict[str, Any]) -> Invoice:
    """The invoice to create from `data`, with what needs no lock checked and the blanks filled."""
    data = {k: v for k, v in data.items() if k in INVOICE_FIELDS or k == "pdf"}
    data = rules.checked_invoice_data(business, data)
    _check_pdf(data)
    if data.get("vat_amount") is None:
        data["vat_amount"] = ZERO
    if data.get("total_incl_tax") is None and data.get("total_excl_tax") is not None:
        data["total_incl_tax"] = data["total_excl_tax"] + data["vat_amount"]
    if not data.get("due_date") and data.get("issue_date"):
        data["due_date"] = default_due_date(business, data["issue_date"])
    invoice = Invoice(business=business, **data)
    invoice.amount_due = invoice.total_incl_tax if invoice.total_incl_tax is not None else ZERO
    return invoice


def _invoice_created(invoice: Invoice, actor: User | None) -> dict[str, Any]:
    """The audit event of a created invoice, as `record` and `event` take it."""
    return {
        "business": invoice.business,
        "actor": actor,
        "action": "created",
        "obj": invoice,
        "invoice": invoice,
        "client": invoice.client,
        "changes": {"total_incl_tax": invoice.total_incl_tax, "due_date": invoice.due_date},
    }


def create_invoice(*, business: Business, actor: User | None, **data: Any) -> Invoice:
    invoice = _new_invoice(business, data)
    try:
        with _writing_books(business):
            _lock_client_of(invoice)
            _full_clean(invoice, exclude=["business", "amount_due"])
            _check_invoice(invoice)
            invoice.save()
            record(**_invoice_created(invoice, actor))
    except IntegrityError:
        # A concurrent request took the same number between the check and the insert.
        raise ValidationError(
            {"number": _("Une facture n° %(number)s existe déjà.") % {"number": invoice.number}}
        ) from None
    return invoice


def create_invoices(*, business: Business, actor: User | None, items: Sequence[dict[str, Any]]) -> list[Invoice]:
    """Many invoices of `business` in one write (an import sends a few hundred at a time), each
    checked by the same functions as `create_invoice`; returned in the order of `items`.

    One books version and one query locking the clients named, one query for the numbers
    already taken, then the invoices and their audit events written by `bulk_create`. A number
    given twice is refused the second time, as a second `create_invoice` would refuse it. All or
    nothing: `BatchErrors` names every refused item, and nothing is written.
    """
    errors: dict[int, Exception] = {}
    invoices: dict[int, Invoice] = {}
    for index, data in enumerate(items):
        try:
            invoices[index] = _new_invoice(business, data)
        except ValidationError as error:
            errors[index] = error
    # No IntegrityError to turn into "existe déjà" here, unlike `create_invoice`: every writer of
    # the books takes the business's row first (`_writing_books`), so the numbers read below
    # stay the business's until this transaction ends.
    with _writing_books(business):
        clients = set(
            Client.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk__in={invoice.client_id for invoice in invoices.values()} - {None})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        taken = set(
            Invoice.objects.filter(
                business=business, number__in={invoice.number for invoice in invoices.values()}
            ).values_list("number", flat=True)
        )
        for index, invoice in invoices.items():
            try:
                if invoice.client_id is not None and invoice.client_id not in clients:
                    raise ValidationError({"client": _("Client introuvable.")})
                # A client found under the lock above needs no second query to prove it exists.
                found = ["client"] if invoice.client_id is not None else []
                _full_clean(invoice, exclude=["business", "amount_due", *found])
                _check_invoice(invoice, taken)
            except ValidationError as error:
                errors[index] = error
            else:
                taken.add(invoice.number)
        if errors:
            raise BatchErrors(errors)
        created = list(invoices.values())
        Invoice.objects.bulk_create(created, batch_size=BULK)
        record_many([event(**_invoice_created(invoice, actor)) for invoice in created])
    return created


def update_invoice(*, invoice: Invoice, actor: User | None, **data: Any) -> Invoice:
    data = {k: v for k, v in data.items() if k in INVOICE_FIELDS or k == "pdf"}
    data = rules.checked_invoice_data(invoice.business, data, invoice)
    _check_pdf(data)
    try:
        with _writing_books(invoice):
            # Every rule is checked on the row as stored now, under its lock: a cancellation, a
            # payment or a reminder freezing it either committed before (and is seen here) or waits.
            invoice = _locked_invoice(invoice)
            if invoice.cancelled_at is not None:
                raise Conflict(_("Cette facture est annulée : elle ne peut plus être modifiée."))
            if invoice_is_locked(invoice):
                raise Conflict(
                    _(
                        "Une relance enregistrée ou envoyée cite cette facture : elle ne peut plus être modifiée "
                        "(seuls les règlements, les avoirs et l’annulation restent possibles)."
                    )
                )
            if "vat_amount" in data and data["vat_amount"] is None:
                data["vat_amount"] = ZERO
            if "total_incl_tax" in data and data["total_incl_tax"] is None:
                excl_tax = data.get("total_excl_tax", invoice.total_excl_tax)
                if excl_tax is not None:
                    data["total_incl_tax"] = excl_tax + data.get("vat_amount", invoice.vat_amount)
            if "due_date" in data and not data["due_date"] and data.get("issue_date", invoice.issue_date):
                data["due_date"] = default_due_date(invoice.business, data.get("issue_date", invoice.issue_date))
            changes = _diff(invoice, {k: v for k, v in data.items() if k != "pdf"})
            for field, value in data.items():
                setattr(invoice, field, value)
            if "client" in data:
                _lock_client_of(invoice)
            _full_clean(invoice, exclude=["business", "amount_due"])
            _check_invoice(invoice)
            # Checked before writing: the database refuses a negative amount due outright.
            amount_due = invoice.computed_amount_due()
            if amount_due < 0:
                raise ValidationError(
                    {
                        "total_incl_tax": _(
                            "Le total TTC ne peut pas être inférieur aux règlements et avoirs déjà enregistrés."
                        )
                    }
                )
            invoice.amount_due = amount_due
            # Only the fields given: a concurrent change of any other field stays.
            invoice.save(update_fields=[*data, "amount_due", "updated_at"])
            if changes:
                record(
                    business=invoice.business,
                    actor=actor,
                    action="updated",
                    obj=invoice,
                    changes=changes,
                    invoice=invoice,
                    client=invoice.client,
                )
    except IntegrityError:
        raise ValidationError(
            {"number": _("Une facture n° %(number)s existe déjà.") % {"number": invoice.number}}
        ) from None
    return invoice


def cancel_invoice(*, invoice: Invoice, actor: User | None, reason: str) -> Invoice:
    check_one_line(cancel_reason=reason)
    with _writing_books(invoice):
        invoice = _locked_invoice(invoice)
        if invoice.cancelled_at is not None:
            raise Conflict(_("Cette facture est déjà annulée."))
        if not reason.strip():
            raise ValidationError({"cancel_reason": _("Indiquez le motif de l’annulation.")})
        invoice.cancelled_at = timezone.now()
        invoice.cancel_reason = reason.strip()
        invoice.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        record(
            business=invoice.business,
            actor=actor,
            action="cancelled",
            obj=invoice,
            changes={"reason": invoice.cancel_reason},
            invoice=invoice,
            client=invoice.client,
        )
    return invoice


def _locked_invoice(invoice: Invoice) -> Invoice:
    """Re-read the invoice under its row lock, for the checks and the write."""
    return (
        Invoice.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "business")
        .get(pk=invoice.pk)
    )


# Payments and credit notes


def _new_payment(
    business: Business,
    *,
    invoice: Invoice,
    date: dt.date,
    amount: Decimal | str,
    method: str = Payment.Method.TRANSFER,
    reference: str = "",
) -> Payment:
    """The payment to record, with what needs no lock checked."""
    amount = rules.checked_payment_amount(date=date, amount=amount)
    payment = Payment(business=business, invoice=invoice, date=date, amount=amount, method=method, reference=reference)
    _full_clean(payment, exclude=["business", "invoice"])
    return payment


def _check_payable(invoice: Invoice, payment: Payment) -> None:
    """The payment against its invoice as re-read under the lock, before its amount due."""
    if invoice.cancelled_at is not None:
        raise Conflict(_("Cette facture est annulée : aucun règlement ne peut y être enregistré."))
    if payment.date < invoice.issue_date:
        raise ValidationError({"date": _("Le règlement ne peut pas précéder la date de la facture.")})


def _check_payment_amount(payment: Payment, amount_due: Decimal) -> None:
    if payment.amount > amount_due:
        raise ValidationError(
            {
                "amount": _("Le montant dépasse le reste dû (%(amount)s) : un trop-perçu est refusé.")
                % {"amount": _euros(amount_due)}
            }
        )


def _payment_recorded(payment: Payment, actor: User | None) -> dict[str, Any]:
    """The audit event of a recorded payment, as `record` and `event` take it."""
    invoice = payment.invoice
    return {
        "business": invoice.business,
        "actor": actor,
        "action": "payment_recorded",
        "obj": payment,
        "changes": {"amount": payment.amount, "date": payment.date, "method": payment.method},
        "invoice": invoice,
        "client": invoice.client,
    }


def record_payment(
    *,
    invoice: Invoice,
    actor: User | None,
    date: dt.date,
    amount: Decimal | str,
    method: str = Payment.Method.TRANSFER,
    reference: str = "",
) -> Payment:
    payment = _new_payment(
        invoice.business, invoice=invoice, date=date, amount=amount, method=method, reference=reference
    )
    with _writing_books(invoice):
        invoice = _locked_invoice(invoice)
        _check_payable(invoice, payment)
        invoice.refresh_amount_due()
        _check_payment_amount(payment, invoice.amount_due)
        payment.invoice = invoice
        payment.save()
        invoice.refresh_amount_due()
        record(**_payment_recorded(payment, actor))
    return payment


def record_payments(*, business: Business, actor: User | None, items: Sequence[dict[str, Any]]) -> list[Payment]:
    """Many payments on invoices of `business` in one write (an import sends a few hundred at a
    time), each checked by the same functions as `record_payment`; returned in the order of `items`.

    An item has `record_payment`'s arguments but the actor: `invoice`, `date`, `amount`, and
    `method` and `reference` if not the defaults. One books version and one query locking the
    invoices, two grouped queries for what their payments and credit notes already settled; each
    payment is then checked against what is still due after the accepted items before it. The
    payments, their audit events and the new amounts due are written a few hundred to a
    statement. All or nothing: `BatchErrors` names every refused item, and nothing is written.
    """
    errors: dict[int, Exception] = {}
    payments: dict[int, Payment] = {}
    for index, item in enumerate(items):
        try:
            payments[index] = _new_payment(business, **item)
        except ValidationError as error:
            errors[index] = error
    with _writing_books(business):
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update(of=("self",), no_key=True)
            .filter(business=business, pk__in={payment.invoice_id for payment in payments.values()})
            .select_related("client", "business")
            .order_by("pk")
        }
        settled = _settled(list(invoices))
        paid: dict[int, Invoice] = {}
        for index, payment in payments.items():
            invoice = invoices.get(payment.invoice_id)
            try:
                if invoice is None:
                    raise NotFound(_("Facture introuvable."))
                _check_payable(invoice, payment)
                amount_due = invoice.total_incl_tax - settled.get(invoice.pk, ZERO)
                _check_payment_amount(payment, amount_due)
            except (ValidationError, Conflict, NotFound) as error:
                errors[index] = error
            else:
                settled[invoice.pk] = settled.get(invoice.pk, ZERO) + payment.amount
                invoice.amount_due = amount_due - payment.amount
                payment.invoice = invoice
                paid[invoice.pk] = invoice
        if errors:
            raise BatchErrors(errors)
        recorded = list(payments.values())
        Payment.objects.bulk_create(recorded, batch_size=BULK)
        Invoice.objects.bulk_update(list(paid.values()), ["amount_due"], batch_size=BULK)
        record_many([event(**_payment_recorded(payment, actor)) for payment in recorded])
    return recorded


def _settled(invoice_ids: list[int]) -> dict[int, Decimal]:
    """What payments and credit notes already settled of each invoice (`computed_amount_due`)."""
    settled: dict[int, Decimal] = {}
    for model in (Payment, CreditNote):
        for row in model.objects.filter(invoice_id__in=invoice_ids).values("invoice_id").annotate(total=Sum("amount")):
            settled[row["invoice_id"]] = settled.get(row["invoice_id"], ZERO) + row["total"]
    return settled


def delete_payment(*, payment: Payment, actor: User | None) -> None:
    with _writing_books(payment):
        invoice = _locked_invoice(payment.invoice)
        # Re-read under the invoice's lock: of two deletions of one payment, the second finds it gone.
        stored = Payment.objects.filter(pk=payment.pk, invoice=invoice).first()
        if stored is None:
            raise NotFound("Règlement introuvable.")
        payment = stored
        record(
            business=invoice.business,
            actor=actor,
            action="payment_deleted",
            obj=payment,
            changes={"amount": payment.amount, "date": payment.date},
            invoice=invoice,
            client=invoice.client,
        )
        payment.delete()
        invoice.refresh_amount_due()


def record_credit_note(
    *, invoice: Invoice, actor: User | None, number: str, date: dt.date, amount: Decimal | str, reason: str = ""
) -> CreditNote:
    amount = rules.checked_credit_note_amount(date=date, amount=amount)
    note = CreditNote(
        business=invoice.business, invoice=invoice, number=number, date=date, amount=amount, reason=reason
    )
    _full_clean(note, exclude=["business", "invoice"])
    try:
        return _save_credit_note(note, invoice=invoice, actor=actor)
    except IntegrityError:
        # Another request took the same number between the check and the insert.
        raise ValidationError({"number": _("Un avoir n° %(number)s existe déjà.") % {"number": number}}) from None


def _save_credit_note(note: CreditNote, *, invoice: Invoice, actor: User | None) -> CreditNote:
    number, amount, date = note.number, note.amount, note.date
    with _writing_books(invoice):
        invoice = _locked_invoice(invoice)
        if invoice.cancelled_at is not None:
            raise Conflict(_("Cette facture est annulée : aucun avoir ne peut y être ajouté."))
        if CreditNote.objects.filter(business=invoice.business, number=number).exists():
            raise ValidationError({"number": _("Un avoir n° %(number)s existe déjà.") % {"number": number}})
        invoice.refresh_amount_due()
        if amount > invoice.amount_due:
            raise ValidationError(
                {
                    "amount": _("Un avoir ne peut pas dépasser le reste dû (%(amount)s).")
                    % {"amount": _euros(invoice.amount_due)}
                }
            )
        note.invoice = invoice
        note.save()
        invoice.refresh_amount_due()
        record(
            business=invoice.business,
            actor=actor,
            action="credit_note_recorded",
            obj=note,
            changes={"amount": amount, "date": date, "number": number},
            invoice=invoice,
            client=invoice.client,
        )
    return note


# Restoring an exported account
#
# An account restored from its export keeps the states its invoices and clients had: a pause
# that has ended, a cancellation on its day. The user-facing workflows refuse those (a pause
# cannot end in the past, a cancellation is dated now), so a restore sets them here, after the
# rows were created through the workflows above and their payments and credit notes recorded.


def restore_client_pause(*, client: Client, actor: User | None, reason: str, until: dt.date | None) -> Client:
    """The client's reminders paused as the export says, the end of the pause possibly past."""
    check_dates(pause_until=until)
    with _writing_books(client):
        client = _locked_client(client)
        client.reminders_paused = True
        client.pause_reason = reason
        client.pause_until = until
        _full_clean(client, exclude=["business"])
        _check_pause(client)
        client.save(update_fields=["reminders_paused", "pause_reason", "pause_until", "updated_at"])
        record(
            business=client.business,
            actor=actor,
            action="restored",
            obj=client,
            changes={"reminders_paused": True, "pause_reason": reason, "pause_until": until},
            client=client,
        )
    return client


def restore_invoice_state(
    *,
    invoice: Invoice,
    actor: User | None,
    cancelled_at: dt.datetime | None,
    cancel_reason: str,
    disputed: bool,
    dispute_reason: str,
    reminders_paused_until: dt.date | None,
) -> Invoice:
    """The cancellation (on its own date), the dispute and the pause of an exported invoice."""
    check_one_line(cancel_reason=cancel_reason, dispute_reason=dispute_reason)
    check_dates(reminders_paused_until=reminders_paused_until)
    if cancelled_at is not None and timezone.is_naive(cancelled_at):
        raise ValidationError({"cancelled_at": _("Indiquez le fuseau horaire de la date d’annulation.")})
    state = {
        "cancelled_at": cancelled_at,
        "cancel_reason": cancel_reason if cancelled_at else "",
        "disputed": disputed,
        "dispute_reason": dispute_reason if disputed else "",
        "reminders_paused_until": reminders_paused_until,
    }
    with _writing_books(invoice):
        invoice = _locked_invoice(invoice)
        changes = _diff(invoice, state)
        if not changes:
            return invoice
        for field in changes:
            setattr(invoice, field, state[field])
        _full_clean(invoice, exclude=["business", "amount_due", "client"])
        invoice.save(update_fields=[*changes, "updated_at"])
        record(
            business=invoice.business,
            actor=actor,
            action="restored",
            obj=invoice,
            changes={field: state[field] for field in changes},
            invoice=invoice,
            client=invoice.client,
        )
    return invoice
