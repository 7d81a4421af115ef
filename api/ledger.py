"""Clients, invoices, payments and credit notes over the ledger's services.

Every lookup goes through `ledger.lookups` (another business's id → 404) and every change
through `ledger.services`, exactly as the pages do.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx
from ninja.responses import Status
from pydantic import WithJsonSchema

from api.auth import actor_of, business_of, token_auth
from api.schemas import (
    LIST_ERRORS,
    MAX_NOTES,
    READ_ERRORS,
    WRITE_ERRORS,
    CleanText,
    Email,
    InputSchema,
    IsoDate,
    LimitOffset,
    Money,
    MoneyIn,
    ObjectId,
    max_length,
    omittable,
)
from core.ids import MAX_ID
from ledger import queries, services
from ledger.lookups import get_client_for, get_invoice_for, get_payment_for
from ledger.models import Client, CreditNote, Invoice, InvoiceStatus, Payment
from ledger.queries import ClientSort, InvoiceSort

router = Router(auth=token_auth)

# Inline enums from the models' choices: the document then names no bare "Kind" or "Method".
ClientKind = Annotated[Client.Kind, WithJsonSchema({"type": "string", "enum": Client.Kind.values})]
PaymentMethod = Annotated[Payment.Method, WithJsonSchema({"type": "string", "enum": Payment.Method.values})]
InvoiceState = Annotated[InvoiceStatus, WithJsonSchema({"type": "string", "enum": InvoiceStatus.values})]

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant.")]
PaymentId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du règlement.")]


def _today() -> dt.date:
    return timezone.localdate()


# Schemas: clients


class ClientOut(Schema):
    id: int
    kind: ClientKind
    name: str
    contact_name: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    postal_code: str
    city: str
    country: str
    siren: str
    notes: str
    reminders_paused: bool
    pause_reason: str
    pause_until: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientIn(InputSchema):
    kind: ClientKind = Field(Client.Kind.BUSINESS, description="business (professionnel) ou consumer (particulier).")
    name: str = Field(max_length=max_length(Client, "name"), description="Nom ou raison sociale.")
    contact_name: str = Field("", max_length=max_length(Client, "contact_name"))
    email: Email = ""
    phone: str = Field("", max_length=max_length(Client, "phone"))
    address_line1: str = Field("", max_length=max_length(Client, "address_line1"))
    address_line2: str = Field("", max_length=max_length(Client, "address_line2"))
    postal_code: str = Field("", max_length=max_length(Client, "postal_code"))
    city: str = Field("", max_length=max_length(Client, "city"))
    country: str = Field("France", max_length=max_length(Client, "country"))
    siren: str = Field("", max_length=max_length(Client, "siren"), description="SIREN (9 chiffres, clé de Luhn).")
    notes: str = Field("", max_length=MAX_NOTES)
    reminders_paused: bool = Field(False, description="Relances en pause (motif obligatoire).")
    pause_reason: str = Field("", max_length=max_length(Client, "pause_reason"))
    pause_until: IsoDate | None = Field(None, description="Fin de la pause (incluse) ; null : sans fin.")


class ClientPatch(InputSchema):
    kind: ClientKind = omittable()
    name: str = omittable(max_length=max_length(Client, "name"))
    contact_name: str = omittable(max_length=max_length(Client, "contact_name"))
    email: Email = omittable()
    phone: str = omittable(max_length=max_length(Client, "phone"))
    address_line1: str = omittable(max_length=max_length(Client, "address_line1"))
    address_line2: str = omittable(max_length=max_length(Client, "address_line2"))
    postal_code: str = omittable(max_length=max_length(Client, "postal_code"))
    city: str = omittable(max_length=max_length(Client, "city"))
    country: str = omittable(max_length=max_length(Client, "country"))
    siren: str = omittable(max_length=max_length(Client, "siren"))
    notes: str = omittable(max_length=MAX_NOTES)
    reminders_paused: bool = omittable()
    pause_reason: str = omittable(max_length=max_length(Client, "pause_reason"))
    pause_until: IsoDate | None = None


class ClientFilters(CleanText):
    q: str = Field("", max_length=100, description="Recherche dans le nom, le contact, l’e-mail, le SIREN, la ville.")
    sort: ClientSort = Field(
        "name",
        description=(
            "Ordre : name (nom de A à Z), -name, -balance (encours le plus élevé d’abord), balance, "
            "-late_count (le plus de factures en retard d’abord), late_count."
        ),
    )


# Schemas: invoices


class InvoiceOut(Schema):
    id: int
    client_id: int
    client_name: str
    number: str
    issue_date: dt.date
    due_date: dt.date
    total_excl_tax: Money
    vat_amount: Money
    total_incl_tax: Money
    amount_due: Money = Field(description="Reste dû : TTC − règlements − avoirs.")
    status: InvoiceState = Field(description="Statut à la date du jour (Europe/Paris).")
    days_late: int = Field(description="Jours de retard à la date du jour (0 si non échue, payée ou annulée).")
    notes: str
    cancelled_at: dt.datetime | None
    cancel_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_client_name(obj: Invoice) -> str:
        return obj.client.name

    @staticmethod
    def resolve_status(obj: Invoice) -> str:
        return obj.status_on(_today())

    @staticmethod
    def resolve_days_late(obj: Invoice) -> int:
        return obj.days_late_on(_today())


class InvoiceIn(InputSchema):
    client_id: ObjectId
    number: str = Field(max_length=max_length(Invoice, "number"), description="Numéro, unique dans l’entreprise.")
    issue_date: IsoDate
    due_date: IsoDate | None = Field(None, description="Échéance ; absente : calculée selon le délai de paiement.")
    total_excl_tax: MoneyIn
    vat_amount: MoneyIn | None = Field(None, description="TVA ; absente : 0.00.")
    total_incl_tax: MoneyIn | None = Field(None, description="Total TTC ; absent : HT + TVA.")
    notes: str = Field("", max_length=MAX_NOTES)


class InvoicePatch(InputSchema):
    client_id: ObjectId = omittable()
    number: str = omittable(max_length=max_length(Invoice, "number"))
    issue_date: IsoDate = omittable()
    due_date: IsoDate | None = omittable(description="null : recalculée selon le délai de paiement.")
    total_excl_tax: MoneyIn = omittable()
    vat_amount: MoneyIn | None = omittable(description="null : 0.00.")
    total_incl_tax: MoneyIn | None = omittable(
        description="null, ou absent alors que le HT ou la TVA change : recalculé (HT + TVA)."
    )
    notes: str = omittable(max_length=MAX_NOTES)


class InvoiceCancelIn(InputSchema):
    reason: str = Field(max_length=max_length(Invoice, "cancel_reason"), description="Motif de l’annulation.")


class InvoiceFilters(CleanText):
    status: InvoiceState | None = Field(None, description="Statut à la date du jour.")
    client_id: ObjectId | None = None
    q: str = Field("", max_length=100, description="Recherche dans le numéro de facture.")
    sort: InvoiceSort = Field(
        "-issue_date",
        description=(
            "Ordre : -issue_date (les plus récentes d’abord), issue_date, due_date, -due_date, "
            "-amount_due, amount_due, -total, total (TTC), number, -number, client, -client (nom du client)."
        ),
    )


# Schemas: payments and credit notes


class PaymentOut(Schema):
    id: int
    invoice_id: int
    date: dt.date
    amount: Money
    method: PaymentMethod
    reference: str
    created_at: dt.datetime


class PaymentIn(InputSchema):
    date: IsoDate
    amount: MoneyIn = Field(description="Montant reçu ; pas plus que le reste dû.")
    method: PaymentMethod = Payment.Method.TRANSFER
    reference: str = Field("", max_length=max_length(Payment, "reference"))


class CreditNoteOut(Schema):
    id: int
    invoice_id: int
    number: str
    date: dt.date
    amount: Money
    reason: str
    created_at: dt.datetime


class CreditNoteIn(InputSchema):
    number: str = Field(max_length=max_length(CreditNote, "number"), description="Numéro d’avoir, unique.")
    date: IsoDate
    amount: MoneyIn = Field(description="Montant TTC ; pas plus que le reste dû.")
    reason: str = Field("", max_length=max_length(CreditNote, "reason"))


# Helpers


def _client_of_business(request: HttpRequest, client_id: int) -> Client:
    """The invoice's client, from the caller's business only; any other id reads as unknown."""
    try:
        return get_client_for(actor_of(request), client_id)
    except Http404:
        raise ValidationError({"client_id": "Client introuvable."}) from None


# Clients


@router.get(
    "/clients",
    response={200: list[ClientOut], **LIST_ERRORS},
    operation_id="listClients",
    summary="Lister les clients",
    tags=["Clients"],
)
@paginate(LimitOffset)
def list_clients(request: HttpRequest, filters: Query[ClientFilters]) -> Any:
    return queries.search_clients(business_of(request), as_of=_today(), q=filters.q, sort=filters.sort)


@router.post(
    "/clients",
    response={201: ClientOut, **WRITE_ERRORS},
    operation_id="createClient",
    summary="Créer un client",
    tags=["Clients"],
)
def create_client(request: HttpRequest, payload: ClientIn) -> Any:
    client = services.create_client(business=business_of(request), actor=actor_of(request), **payload.model_dump())
    return Status(201, client)


@router.get(
    "/clients/{id}",
    response={200: ClientOut, **READ_ERRORS},
    operation_id="getClient",
    summary="Lire un client",
    tags=["Clients"],
)
def get_client(request: HttpRequest, id: Id) -> Any:
    return get_client_for(actor_of(request), id)


@router.patch(
    "/clients/{id}",
    response={200: ClientOut, **WRITE_ERRORS},
    operation_id="updateClient",
    summary="Modifier un client",
    description="Seuls les champs envoyés changent.",
    tags=["Clients"],
)
def update_client(request: HttpRequest, id: Id, payload: ClientPatch) -> Any:
    client = get_client_for(actor_of(request), id)
    return services.update_client(client=client, actor=actor_of(request), **payload.model_dump(exclude_unset=True))


@router.delete(
    "/clients/{id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deleteClient",
    summary="Supprimer un client",
    description="Refusé (409) quand le client a des factures.",
    tags=["Clients"],
)
def delete_client(request: HttpRequest, id: Id) -> Any:
    services.delete_client(client=get_client_for(actor_of(request), id), actor=actor_of(request))
    return Status(204, None)


# Invoices


@router.get(
    "/invoices",
    response={200: list[InvoiceOut], **LIST_ERRORS},
    operation_id="listInvoices",
    summary="Lister les factures",
    description="Les plus récentes d’abord ; filtres par statut (à la date du jour), client et numéro, comme la page Factures.",
    tags=["Factures"],
)
@paginate(LimitOffset)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> Any:
    return queries.filter_invoices(
        business_of(request),
        as_of=_today(),
        status=filters.status,
        client_id=filters.client_id,
        q=filters.q,
        sort=filters.sort,
    )


@router.post(
    "/invoices",
    response={201: InvoiceOut, **WRITE_ERRORS},
    operation_id="createInvoice",
    summary="Créer une facture",
    tags=["Factures"],
)
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    data = payload.model_dump()
    data["client"] = _client_of_business(request, data.pop("client_id"))
    invoice = services.create_invoice(business=business_of(request), actor=actor_of(request), **data)
    return Status(201, invoice)


@router.get(
    "/invoices/{id}",
    response={200: InvoiceOut, **READ_ERRORS},
    operation_id="getInvoice",
    summary="Lire une facture",
    tags=["Factures"],
)
def get_invoice(request: HttpRequest, id: Id) -> Any:
    return get_invoice_for(actor_of(request), id)


@router.patch(
    "/invoices/{id}",
    response={200: InvoiceOut, **WRITE_ERRORS},
    operation_id="updateInvoice",
    summary="Modifier une facture",
    description=(
        "Seuls les champs envoyés changent. Refusé (409) pour une facture annulée ou citée par une "
        "relance enregistrée ou envoyée."
    ),
    tags=["Factures"],
)
def update_invoice(request: HttpRequest, id: Id, payload: InvoicePatch) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    data = payload.model_dump(exclude_unset=True)
    if "client_id" in data:
        data["client"] = _client_of_business(request, data.pop("client_id"))
    if "total_incl_tax" not in data and ("total_excl_tax" in data or "vat_amount" in data):
        # A new HT or VAT without a TTC means "recompute it", as on creation.
        data["total_incl_tax"] = None
    return services.update_invoice(invoice=invoice, actor=actor_of(request), **data)


@router.post(
    "/invoices/{id}/cancel",
    response={200: InvoiceOut, **WRITE_ERRORS},
    operation_id="cancelInvoice",
    summary="Annuler une facture",
    tags=["Factures"],
)
def cancel_invoice(request: HttpRequest, id: Id, payload: InvoiceCancelIn) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    return services.cancel_invoice(invoice=invoice, actor=actor_of(request), reason=payload.reason)


# Payments


@router.get(
    "/invoices/{id}/payments",
    response={200: list[PaymentOut], **READ_ERRORS},
    operation_id="listPayments",
    summary="Lister les règlements d’une facture",
    tags=["Règlements"],
)
def list_payments(request: HttpRequest, id: Id) -> Any:
    return list(get_invoice_for(actor_of(request), id).payments.all())


@router.post(
    "/invoices/{id}/payments",
    response={201: PaymentOut, **WRITE_ERRORS},
    operation_id="createPayment",
    summary="Enregistrer un règlement",
    description="Règlement partiel accepté ; un montant supérieur au reste dû est refusé (422).",
    tags=["Règlements"],
)
def create_payment(request: HttpRequest, id: Id, payload: PaymentIn) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    payment = services.record_payment(invoice=invoice, actor=actor_of(request), **payload.model_dump())
    return Status(201, payment)


@router.delete(
    "/invoices/{id}/payments/{payment_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deletePayment",
    summary="Supprimer un règlement",
    tags=["Règlements"],
)
def delete_payment(request: HttpRequest, id: Id, payment_id: PaymentId) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    payment = get_payment_for(actor_of(request), payment_id)
    if payment.invoice_id != invoice.pk:
        raise Http404
    services.delete_payment(payment=payment, actor=actor_of(request))
    return Status(204, None)


# Credit notes


@router.get(
    "/invoices/{id}/credit-notes",
    response={200: list[CreditNoteOut], **READ_ERRORS},
    operation_id="listCreditNotes",
    summary="Lister les avoirs d’une facture",
    tags=["Avoirs"],
)
def list_credit_notes(request: HttpRequest, id: Id) -> Any:
    return list(get_invoice_for(actor_of(request), id).credit_notes.all())


@router.post(
    "/invoices/{id}/credit-notes",
    response={201: CreditNoteOut, **WRITE_ERRORS},
    operation_id="createCreditNote",
    summary="Enregistrer un avoir",
    description="Le montant ne peut pas dépasser le reste dû (422).",
    tags=["Avoirs"],
)
def create_credit_note(request: HttpRequest, id: Id, payload: CreditNoteIn) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    note = services.record_credit_note(invoice=invoice, actor=actor_of(request), **payload.model_dump())
    return Status(201, note)
