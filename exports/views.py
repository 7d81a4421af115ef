"""Pages of the exports: the lists as CSV or Excel, the aged balance, the full-account export."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import AuthenticatedHttpRequest, business_id_of, current_business
from core.htmx import render_page
from exports import queries as export_queries
from exports.aged_pdf import render_aged_balance_pdf
from exports.forms import AgedBalanceForm
from exports.lookups import get_account_export_for
from exports.models import AccountExport
from exports.responses import PDF_TYPE, account_export_file, sheet_response
from exports.services import request_account_export
from exports.tables import aged_balance_sheet, client_sheet, invoice_sheet
from ledger import queries
from ledger.forms import ClientFilterForm, InvoiceFilterForm

RECENT_EXPORTS = 10


def _page(request: AuthenticatedHttpRequest, form: AgedBalanceForm, status: int = 200) -> HttpResponse:
    exports = AccountExport.objects.filter(business_id=business_id_of(request.user)).select_related("requested_by")
    context = {"nav": "exports", "form": form, "exports": exports[:RECENT_EXPORTS]}
    return render(request, "exports/exports.html", context, status=status)


@login_required
@require_GET
def export_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, AgedBalanceForm(initial={"as_of": timezone.localdate(), "format": "pdf"}))


@login_required
@require_GET
def aged_balance(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse | FileResponse:
    business = current_business(request)
    form = AgedBalanceForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=422)
    as_of = form.cleaned_data["as_of"]
    balance = export_queries.aged_balance(business, as_of)
    stem = f"balance-agee-{as_of:%Y-%m-%d}"
    if form.cleaned_data["format"] == "pdf":
        response = HttpResponse(render_aged_balance_pdf(business, balance), content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return response
    return sheet_response(aged_balance_sheet(balance), stem, form.cleaned_data["format"])


def _format(file_format: str) -> str:
    if file_format not in ("csv", "xlsx"):
        raise Http404("Format inconnu.")
    return file_format


@login_required
@require_GET
def client_list_download(request: AuthenticatedHttpRequest, file_format: str) -> StreamingHttpResponse | FileResponse:
    """The client list as the page shows it: same search, same order."""
    business = current_business(request)
    form = ClientFilterForm(request.GET)
    form.is_valid()
    clients = queries.search_clients(
        business,
        as_of=timezone.localdate(),
        q=(form.cleaned_data.get("q") or "").strip(),
        sort=form.cleaned_data.get("sort") or "name",
    )
    return sheet_response(client_sheet(clients), f"clients-{timezone.localdate():%Y-%m-%d}", _format(file_format))


@login_required
@require_GET
def invoice_list_download(request: AuthenticatedHttpRequest, file_format: str) -> StreamingHttpResponse | FileResponse:
    """The invoice list as the page shows it: same number search, status, client and order."""
    business = current_business(request)
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET, business=business)
    form.is_valid()
    client = form.cleaned_data.get("client")
    invoices = queries.filter_invoices(
        business,
        as_of=today,
        status=form.cleaned_data.get("status") or None,
        client_id=client.pk if client is not None else None,
        q=(form.cleaned_data.get("q") or "").strip(),
        sort=form.cleaned_data.get("sort") or "-issue_date",
    )
    return sheet_response(invoice_sheet(invoices, today), f"factures-{today:%Y-%m-%d}", _format(file_format))


@login_required
@require_POST
def account_export_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    export, created = request_account_export(business=current_business(request), actor=request.user)
    export.refresh_from_db()
    if not created:
        messages.info(request, _("Un export est déjà en préparation : voici où il en est."))
    elif export.status == AccountExport.Status.DONE:
        messages.success(request, _("Export prêt : téléchargez le ZIP ci-dessous."))
    elif export.status != AccountExport.Status.FAILED:
        messages.success(
            request,
            _("Export demandé : il se prépare en arrière-plan. Vous pouvez quitter cette page et revenir plus tard."),
        )
    return redirect("exports:account_detail", pk=export.pk)


def _detail_context(export: AccountExport) -> dict[str, Any]:
    return {"nav": "exports", "export": export}


@login_required
@require_GET
def account_export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = get_account_export_for(request.user, pk)
    return render_page(
        request, "exports/account_detail.html", "exports/_account_progress.html", _detail_context(export)
    )


@login_required
@require_GET
def account_export_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return account_export_file(get_account_export_for(request.user, pk))
