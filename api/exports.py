"""Exports over the same queries and files as the Exports page.

`GET /exports/aged-balance?as_of=DATE&format=csv|xlsx` gives the aged balance; the client,
invoice and payment lists come as CSV or XLSX with the filters of their list routes; the
full-account export is started (`POST /exports/account`), followed, then downloaded as a ZIP.
A bad date or format answers 422 with a French message, like every input of the API.
"""

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.params import P, PathEx
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.schemas import LIST_ERRORS, READ_ERRORS, CleanText, IsoDate, ObjectId
from core.ids import MAX_ID
from exports import queries as export_queries
from exports.lookups import get_account_export_for
from exports.models import AccountExport
from exports.responses import CSV_TYPE, XLSX_TYPE, account_export_file, sheet_response
from exports.services import request_account_export
from exports.tables import aged_balance_sheet, client_sheet, invoice_sheet, payment_sheet
from ledger import queries
from ledger.models import InvoiceStatus
from ledger.queries import ClientSort, InvoiceSort

router = Router(auth=token_auth, tags=["Exports"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l’export.")]
FileFormat = Literal["csv", "xlsx"]
FORMAT_DESCRIPTION = (
    "csv : séparateur « ; », UTF-8 avec BOM, virgule décimale (Excel en français) ; "
    "xlsx : classeur Excel, nombres et dates typés."
)


def _file(description: str) -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {CSV_TYPE: binary, XLSX_TYPE: binary}}}}


class FormatIn(CleanText):
    format: FileFormat = Field("csv", description=FORMAT_DESCRIPTION)


class AgedBalanceIn(FormatIn):
    as_of: IsoDate | None = Field(None, description="Date de la balance ; absente : aujourd’hui (Europe/Paris).")


class ClientExportIn(FormatIn):
    q: str = Field("", max_length=100, description="Recherche, comme GET /clients.")
    sort: ClientSort = "name"


class InvoiceExportIn(FormatIn):
    status: InvoiceStatus | None = Field(None, description="Statut à la date du jour.")
    client_id: ObjectId | None = None
    q: str = Field("", max_length=100, description="Recherche dans le numéro de facture.")
    sort: InvoiceSort = "-issue_date"


class AccountExportOut(Schema):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress_done: int
    progress_total: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    zip_size: int | None = Field(description="Taille du ZIP en octets, une fois prêt.")
    download_url: str | None = Field(description="Où télécharger le ZIP, une fois prêt.")

    @staticmethod
    def resolve_download_url(obj: AccountExport) -> str | None:
        return f"/api/v1/exports/account/{obj.pk}/download" if obj.status == AccountExport.Status.DONE else None


@router.get(
    "/exports/aged-balance",
    response={200: None, **LIST_ERRORS},
    operation_id="getAgedBalance",
    summary="Balance âgée",
    description=(
        "Par client : nombre de factures et reste dû par tranche de retard à la date `as_of`, puis le total. "
        "Reste dû au soir de `as_of` : règlements et avoirs datés après ne sont pas déduits, factures émises "
        "après exclues, factures annulées après encore dues."
    ),
    openapi_extra=_file("La balance âgée."),
)
def aged_balance(request: HttpRequest, params: Query[AgedBalanceIn]) -> StreamingHttpResponse | FileResponse:
    as_of = params.as_of or timezone.localdate()
    balance = export_queries.aged_balance(business_of(request), as_of)
    return sheet_response(aged_balance_sheet(balance), f"balance-agee-{as_of:%Y-%m-%d}", params.format)


@router.get(
    "/exports/clients",
    response={200: None, **LIST_ERRORS},
    operation_id="exportClients",
    summary="Exporter les clients",
    openapi_extra=_file("Les clients."),
)
def export_clients(request: HttpRequest, params: Query[ClientExportIn]) -> StreamingHttpResponse | FileResponse:
    today = timezone.localdate()
    clients = queries.search_clients(business_of(request), as_of=today, q=params.q, sort=params.sort)
    return sheet_response(client_sheet(clients), f"clients-{today:%Y-%m-%d}", params.format)


@router.get(
    "/exports/invoices",
    response={200: None, **LIST_ERRORS},
    operation_id="exportInvoices",
    summary="Exporter les factures",
    description="Avec le reste dû et le statut du jour ; mêmes filtres que GET /invoices.",
    openapi_extra=_file("Les factures."),
)
def export_invoices(request: HttpRequest, params: Query[InvoiceExportIn]) -> StreamingHttpResponse | FileResponse:
    today = timezone.localdate()
    invoices = queries.filter_invoices(
        business_of(request),
        as_of=today,
        status=params.status,
        client_id=params.client_id,
        q=params.q,
        sort=params.sort,
    )
    return sheet_response(invoice_sheet(invoices, today), f"factures-{today:%Y-%m-%d}", params.format)


@router.get(
    "/exports/payments",
    response={200: None, **LIST_ERRORS},
    operation_id="exportPayments",
    summary="Exporter les règlements",
    openapi_extra=_file("Les règlements, du plus ancien au plus récent."),
)
def export_payments(request: HttpRequest, params: Query[FormatIn]) -> StreamingHttpResponse | FileResponse:
    payments = export_queries.payments_of(business_of(request))
    return sheet_response(payment_sheet(payments), f"reglements-{timezone.localdate():%Y-%m-%d}", params.format)


@router.post(
    "/exports/account",
    response={202: AccountExportOut, **LIST_ERRORS},
    operation_id="startAccountExport",
    summary="Lancer l’export complet du compte",
    description=(
        "Prépare en arrière-plan un ZIP de toutes les données (account.json, CSV, PDF stockés). "
        "Un export déjà en préparation est renvoyé au lieu d’en lancer un second."
    ),
)
def start_account_export(request: HttpRequest) -> Any:
    export, _created = request_account_export(business=business_of(request), actor=actor_of(request))
    export.refresh_from_db()
    return Status(202, export)


@router.get(
    "/exports/account/{id}",
    response={200: AccountExportOut, **READ_ERRORS},
    operation_id="getAccountExport",
    summary="État d’un export complet",
)
def get_account_export(request: HttpRequest, id: Id) -> Any:
    return get_account_export_for(actor_of(request), id)


@router.get(
    "/exports/account/{id}/download",
    response={200: None, **READ_ERRORS},
    operation_id="downloadAccountExport",
    summary="Télécharger l’export complet (ZIP)",
    description="404 tant que l’export n’est pas prêt.",
    openapi_extra={
        "responses": {
            200: {
                "description": "Le ZIP.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_account_export(request: HttpRequest, id: Id) -> FileResponse:
    return account_export_file(get_account_export_for(actor_of(request), id))
