"""Agencies and collection cases: the only writers of recovery's rows.

Pages, API and CLI call these functions. A change of a case re-reads the case under its row lock
(`_locked_case`), so two events posted at once take turns: the second sees the first's status
and the money it recorded. The money itself goes to the books through `ledger.services`
(payments), and the invoices leave or re-enter the reminder flow through `ledger.services`
too (`enter_collection`, `leave_collection`), each under the invoice's own lock.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business, User
from core.audit import record
from core.dates import check_dates
from core.errors import Conflict, NotFound
from core.formats import money
from core.ids import parse_ids
from core.text import check_one_line
from law.limitation import limitation
from ledger import services as ledger_services
from ledger.models import ZERO, Invoice, Payment
from recovery.models import Agency, CaseEvent, CaseInvoice, CaseStatus, CollectionCase

AGENCY_FIELDS = ["name", "contact_name", "email", "phone", "address", "commission_rate", "notes"]

# Where a case may go from each status. A closed case never reopens; a recovered or failed one
# can only be closed (a new attempt is a new case, with its own transmission date).
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.TRANSMITTED: frozenset(
        {
            CaseStatus.IN_PROGRESS,
            CaseStatus.PARTIALLY_RECOVERED,
            CaseStatus.RECOVERED,
            CaseStatus.FAILED,
            CaseStatus.CLOSED,
        }
    ),
    CaseStatus.IN_PROGRESS: frozenset(
        {
            CaseStatus.IN_PROGRESS,
            CaseStatus.PARTIALLY_RECOVERED,
            CaseStatus.RECOVERED,
            CaseStatus.FAILED,
            CaseStatus.CLOSED,
        }
    ),
    CaseStatus.PARTIALLY_RECOVERED: frozenset(
        {CaseStatus.PARTIALLY_RECOVERED, CaseStatus.RECOVERED, CaseStatus.FAILED, CaseStatus.CLOSED}
    ),
    CaseStatus.RECOVERED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.FAILED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}
# The statuses an event may carry an amount recovered with.
WITH_MONEY = (CaseStatus.PARTIALLY_RECOVERED, CaseStatus.RECOVERED)


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# Agencies


def create_agency(*, business: Business, actor: User | None, **data: Any) -> Agency:
    agency = Agency(business=business, **{k: v for k, v in data.items() if k in AGENCY_FIELDS})
    _full_clean(agency, exclude=["business"])
    with transaction.atomic():
        agency.save()
        record(business=business, actor=actor, action="created", obj=agency)
    return agency


def update_agency(*, agency: Agency, actor: User | None, **data: Any) -> Agency:
    data = {k: v for k, v in data.items() if k in AGENCY_FIELDS}
    with transaction.atomic():
        agency = _locked_agency(agency)
        changes = {k: [str(getattr(agency, k)), str(v)] for k, v in data.items() if getattr(agency, k) != v}
        for field, value in data.items():
            setattr(agency, field, value)
        _full_clean(agency, exclude=["business"])
        agency.save(update_fields=[*data, "updated_at"])
        if changes:
            record(business=agency.business, actor=actor, action="updated", obj=agency, changes=changes)
    return agency


def delete_agency(*, agency: Agency, actor: User | None) -> None:
    with transaction.atomic():
        # A case opened with this agency locks it too (`open_case`): it committed before this
        # check, or it waits and then finds the agency gone.
        agency = _locked_agency(agency)
        if agency.cases.exists():
            raise Conflict(_("Cette agence a des dossiers de recouvrement : elle ne peut pas être supprimée."))
        record(business=agency.business, actor=actor, action="deleted", obj=agency)
        agency.delete()


def _locked_agency(agency: Agency) -> Agency:
    try:
        return Agency.objects.select_for_update(of=("self",), no_key=True).select_related("business").get(pk=agency.pk)
    except Agency.DoesNotExist:
        raise NotFound(_("Agence introuvable.")) from None


# Cases


def _selected_invoices(business: Business, invoice_ids: Sequence[Any]) -> list[int]:
    try:
        ids = sorted(set(parse_ids(invoice_ids)))
    except (TypeError, ValueError):
        raise ValidationError({"invoice_ids": _("Sélection de factures invalide.")}) from None
    if not ids:
        raise ValidationError({"invoice_ids": _("Sélectionnez au moins une facture à mettre en recouvrement.")})
    found = Invoice.objects.filter(business=business, pk__in=ids).values_list("client_id", flat=True)
    clients = list(found)
    if len(clients) != len(ids):
        raise NotFound(_("Facture introuvable."))
    if len(set(clients)) > 1:
        raise ValidationError(
            {"invoice_ids": _("Un dossier de recouvrement concerne un seul client : sélectionnez ses factures.")}
        )
    return ids


def _check_limitation(invoices: Sequence[Invoice], on: dt.date, confirmed: bool) -> list[str]:
    """An invoice past its limitation deadline enters a case only on an explicit confirmation."""
    barred = []
    for invoice in invoices:
        state = limitation(invoice.due_date, invoice.client.kind, on)
        if state.expired:
            barred.append(
                _("n° %(number)s (prescrite depuis le %(day)s)")
                % {"number": invoice.number, "day": f"{state.deadline:%d/%m/%Y}"}
            )
    if barred and not confirmed:
        raise ValidationError(
            {
                "confirm_time_barred": _(
                    "Facture(s) prescrite(s) : %(invoices)s. Le délai pour agir en justice est dépassé : le client "
                    "peut refuser de payer en opposant la prescription et un juge rejettera la demande. Une agence "
                    "peut seulement demander un paiement volontaire. Cochez la confirmation pour la transmettre "
                    "quand même."
                )
                % {"invoices": ", ".join(barred)}
            }
        )
    return barred


def open_case(
    *,
    business: Business,
    actor: User | None,
    invoice_ids: Sequence[Any],
    agency: Agency | None,
    transmitted_on: dt.date,
    note: str = "",
    documents: str = "",
    confirm_time_barred: bool = False,
) -> CollectionCase:
    """A case for invoices of one client, transmitted to `agency` (None: a court procedure)."""
    ids = _selected_invoices(business, invoice_ids)
    check_dates(transmitted_on=transmitted_on)
    if transmitted_on > timezone.localdate():
        raise ValidationError({"transmitted_on": _("La date de transmission ne peut pas être dans le futur.")})
    if agency is not None and agency.business_id != business.pk:
        raise ValidationError({"agency": _("Agence introuvable.")})
    with transaction.atomic():
        if agency is not None:
            agency = _locked_agency(agency)
        invoices = ledger_services.enter_collection(invoice_ids=ids, on=transmitted_on)
        barred = _check_limitation(invoices, transmitted_on, confirm_time_barred)
        case = CollectionCase(
            business=business,
            client=invoices[0].client,
            agency=agency,
            transmitted_on=transmitted_on,
            commission_rate=agency.commission_rate if agency else ZERO,
            note=note.strip(),
            documents=documents.strip(),
            time_barred_confirmed=bool(barred),
            created_by=actor if actor is not None and actor.pk else None,
        )
        _full_clean(case, exclude=["business", "client", "agency", "created_by"])
        case.save()
        CaseInvoice.objects.bulk_create(
            [CaseInvoice(case=case, invoice=invoice, amount_claimed=invoice.amount_due) for invoice in invoices]
        )
        CaseEvent.objects.create(
            case=case,
            date=transmitted_on,
            status=CaseStatus.TRANSMITTED,
            note=case.note,
            created_by=case.created_by,
        )
        changes: dict[str, Any] = {
            "agency": case.agency_label,
            "invoices": [invoice.number for invoice in invoices],
            "transmitted_on": transmitted_on,
        }
        if barred:
            changes["confirmed_time_barred"] = barred
        record(
            business=business,
            actor=actor,
            action="collection_opened",
            obj=case,
            client=case.client,
            invoice=invoices[0] if len(invoices) == 1 else None,
            changes=changes,
        )
    return case


def _locked_case(case: CollectionCase) -> CollectionCase:
    try:
        return (
            CollectionCase.objects.select_for_update(of=("self",), no_key=True)
            .select_related("business", "client", "agency")
            .get(pk=case.pk)
        )
    except CollectionCase.DoesNotExist:
        raise NotFound(_("Dossier introuvable.")) from None


def _parse_amount(amount: Any) -> Decimal:
    if amount in (None, ""):
        return ZERO
    try:
        value = Decimal(str(amount).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({"amount": _("Montant invalide.")}) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Montant invalide : un nombre positif, au centime près.")})
    return value.quantize(Decimal("0.01"))


def _allocate(
    amount: Decimal, invoices: Sequence[Invoice], split: Mapping[int, Any] | None
) -> list[tuple[Invoice, Decimal]]:
    """How an amount recovered is spread over the case's invoices: as the user split it, or
    the oldest due date first. Checked against what each invoice still owes."""
    if split:
        by_id = {invoice.pk: invoice for invoice in invoices}
        shares = []
        for key, value in split.items():
            invoice = by_id.get(int(key))
            if invoice is None:
                raise ValidationError({"allocations": _("Cette facture n’est pas dans le dossier.")})
            share = _parse_amount(value)
            if share > invoice.amount_due:
                raise ValidationError(
                    {
                        "allocations": _("La part de la facture n° %(number)s dépasse son reste dû (%(due)s).")
                        % {"number": invoice.number, "due": money(invoice.amount_due)}
                    }
                )
            if share > 0:
                shares.append((invoice, share))
        if sum((share for _invoice, share in shares), ZERO) != amount:
            raise ValidationError({"allocations": _("La répartition doit totaliser le montant recouvré.")})
        return shares
    outstanding = sum((invoice.amount_due for invoice in invoices), ZERO)
    if amount > outstanding:
        raise ValidationError(
            {
                "amount": _("Le montant dépasse le reste dû sur les factures du dossier (%(due)s).")
                % {"due": money(outstanding)}
            }
        )
    shares, left = [], amount
    for invoice in invoices:
        share = min(left, invoice.amount_due)
        if share > 0:
            shares.append((invoice, share))
            left -= share
    return shares


def add_event(
    *,
    case: CollectionCase,
    actor: User | None,
    status: str,
    date: dt.date,
    note: str = "",
    amount: Any = None,
    allocations: Mapping[int, Any] | None = None,
    key: str = "",
) -> CaseEvent:
    """A dated step of the case: a new status, with an amount recovered for "partiellement
    recouvrée" or "recouvrée". The amount is recorded as payments on the invoices, once.

    `key` names the event for its author: posted again with the same key, the event already
    stored is returned and nothing is recorded twice.
    """
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Statut invalide.")})
    check_dates(date=date)
    check_one_line(key=key)
    value = _parse_amount(amount)
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})
    try:
        with transaction.atomic():
            case = _locked_case(case)
            if key:
                already = case.events.filter(key=key).first()
                if already is not None:
                    return already
            if date < case.transmitted_on:
                raise ValidationError({"date": _("La date ne peut pas précéder la transmission du dossier.")})
            _check_transition(case, status)
            if value > 0 and status not in WITH_MONEY:
                raise ValidationError(
                    {
                        "amount": _(
                            "Un montant recouvré s’enregistre avec le statut « partiellement recouvrée » ou « recouvrée »."
                        )
                    }
                )
            if status == CaseStatus.PARTIALLY_RECOVERED and value <= 0:
                raise ValidationError({"amount": _("Indiquez le montant recouvré.")})
            invoices = list(Invoice.objects.filter(collection_lines__case=case).order_by("due_date", "number", "pk"))
            event = CaseEvent.objects.create(
                case=case,
                date=date,
                status=status,
                amount=value,
                note=note.strip(),
                key=key,
                created_by=actor if actor is not None and actor.pk else None,
            )
            payments = _record_money(case, event, actor, value, invoices, allocations)
            if status == CaseStatus.RECOVERED:
                still_due = [invoice for invoice in invoices if _amount_due(invoice) > 0]
                if still_due:
                    raise Conflict(
                        _(
                            "Le dossier ne peut pas être marqué « recouvrée » : il reste %(due)s à payer sur "
                            "la facture n° %(number)s. Enregistrez le montant recouvré, ou choisissez "
                            "« partiellement recouvrée »."
                        )
                        % {"due": money(_amount_due(still_due[0])), "number": still_due[0].number}
                    )
            was_open = case.is_open
            case.status = status
            case.save(update_fields=["status", "updated_at"])
            if was_open and not case.is_open:
                ledger_services.leave_collection(invoice_ids=[invoice.pk for invoice in invoices])
            record(
                business=case.business,
                actor=actor,
                action="collection_event",
                obj=case,
                client=case.client,
                changes={
                    "status": str(CaseStatus(status).label),
                    "date": date,
                    "amount": value,
                    "payments": [payment.pk for payment in payments],
                },
            )
    except IntegrityError:
        # The same key posted at the same moment in another transaction: that one stored it.
        already = CaseEvent.objects.filter(case=case, key=key).first() if key else None
        if already is None:
            raise
        return already
    return event


def _amount_due(invoice: Invoice) -> Decimal:
    return Invoice.objects.values_list("amount_due", flat=True).get(pk=invoice.pk)


def _check_transition(case: CollectionCase, status: str) -> None:
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("Ce dossier est clos : il ne se rouvre pas. Ouvrez un nouveau dossier si besoin."))
    if status not in TRANSITIONS[case.status]:
        raise Conflict(
            _("Un dossier « %(current)s » ne peut pas passer à « %(status)s ».")
            % {"current": case.get_status_display(), "status": CaseStatus(status).label}
        )


def _record_money(
    case: CollectionCase,
    event: CaseEvent,
    actor: User | None,
    amount: Decimal,
    invoices: list[Invoice],
    split: Mapping[int, Any] | None,
) -> list[Payment]:
    if amount <= 0:
        return []
    shares = _allocate(amount, invoices, split)
    reference = _("Recouvrement, dossier n° %(case)s") % {"case": case.pk}
    payments = [
        ledger_services.record_payment(
            invoice=invoice,
            actor=actor,
            date=event.date,
            amount=share,
            method=Payment.Method.OTHER,
            reference=reference,
        )
        for invoice, share in shares
    ]
    event.payments.set(payments)
    return payments
