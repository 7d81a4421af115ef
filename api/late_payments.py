"""Late payments over the same queries as the "Retards de paiement" page.

`GET /late-payments` gives the lateness buckets (one aggregate query), and
`GET /late-payments/{key}/invoices` the open invoices of one bucket, as of a date.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import DateField, Value
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from api.auth import business_of, token_auth
from api.schemas import READ_ERRORS, UNAUTHENTICATED, IsoDate, LimitOffset, Money, ObjectId
from dunning import queries as dunning_queries
from ledger import queries
from ledger.models import Invoice, InvoiceStatus

router = Router(auth=token_auth, tags=["Retards de paiement"])

InvoiceState = Annotated[InvoiceStatus, WithJsonSchema({"type": "string", "enum": InvoiceStatus.values})]


class AsOf(Schema):
    as_of: IsoDate | None = Field(None, description="Date d’observation ; absente : aujourd’hui (Europe/Paris).")


class BucketOut(Schema):
    key: str = Field(description="not_due, 1-30, 31-60, 61-90, 90+ avec les bornes par défaut 30,60,90.")
    label: str
    invoices: int = Field(description="Nombre de factures non réglées.")
    clients: int = Field(description="Nombre de clients distincts.")
    amount_due: Money


class TotalOut(Schema):
    invoices: int
    clients: int
    amount_due: Money


class LatePaymentsOut(Schema):
    as_of: dt.date
    buckets: list[BucketOut]
    total: TotalOut


class BucketInvoiceOut(Schema):
    id: int
    client_id: int
    client_name: str
    number: str
    issue_date: dt.date
    due_date: dt.date
    total_excl_tax: Money
    total_incl_tax: Money
    amount_due: Money
    status: InvoiceState = Field(description="Statut à la date d’observation.")
    days_late: int = Field(description="Jours de retard à la date d’observation, comptés depuis l’échéance.")
    last_reminder_level: int | None = Field(description="Niveau de la dernière relance enregistrée ou envoyée.")
    last_reminder_at: dt.datetime | None = Field(description="Date d’envoi (ou d’enregistrement) de cette relance.")

    @staticmethod
    def resolve_client_name(obj: Invoice) -> str:
        return obj.client.name

    @staticmethod
    def resolve_status(obj: Invoice) -> str:
        return obj.status_on(obj.observed_on)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_days_late(obj: Invoice) -> int:
        return obj.days_late_on(obj.observed_on)  # type: ignore[attr-defined]


class BucketInvoiceFilters(AsOf):
    client_id: ObjectId | None = None


def _as_of(value: dt.date | None) -> dt.date:
    return value or timezone.localdate()


@router.get(
    "/late-payments",
    response={200: LatePaymentsOut, **UNAUTHENTICATED, 422: READ_ERRORS[422]},
    operation_id="getLatePayments",
    summary="Retards de paiement par tranche",
    description="Pour chaque tranche de retard : nombre de factures, de clients distincts et montant dû.",
)
def late_payments(request: HttpRequest, params: Query[AsOf]) -> Any:
    summary = queries.late_payment_summary(business_of(request), _as_of(params.as_of))
    return {
        "as_of": summary.as_of,
        "buckets": summary.buckets,
        "total": summary.total,
    }


@router.get(
    "/late-payments/{key}/invoices",
    response={200: list[BucketInvoiceOut], **READ_ERRORS},
    operation_id="listLatePaymentInvoices",
    summary="Factures d’une tranche de retard",
    description="Les plus en retard d’abord. Une clé de tranche inconnue répond 404.",
)
@paginate(LimitOffset)
def bucket_invoices(request: HttpRequest, key: str, filters: Query[BucketInvoiceFilters]) -> Any:
    as_of = _as_of(filters.as_of)
    try:
        invoices = queries.bucket_invoices(business_of(request), key, as_of)
    except queries.UnknownBucket:
        raise Http404("Tranche inconnue.") from None
    if filters.client_id:
        invoices = invoices.filter(client_id=filters.client_id)
    invoices = dunning_queries.with_last_reminder(invoices.select_related("client")).order_by("due_date", "id")
    # The observation date travels with each row: the schema computes status and lateness from it.
    return invoices.annotate(observed_on=Value(as_of, output_field=DateField()))
