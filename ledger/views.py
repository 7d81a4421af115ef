"""Pages of the ledger: client and invoice lists and forms, the invoice PDF.

The pages that show the books together with reminders (dashboard, late payments, client and
invoice pages) are composed above every app, in relance/pages.py."""

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Business
from accounts.tenancy import AuthenticatedHttpRequest, current_business
from core.errors import Conflict
from core.htmx import render_page
from core.paging import paginate
from core.redirects import safe_next
from law.terms import CUSTOM_DAYS
from ledger import queries, services
from ledger.forms import (
    ClientFilterForm,
    ClientForm,
    InvoiceFilterForm,
    InvoiceForm,
    apply_service_errors,
)
from ledger.lookups import get_client_for, get_invoice_for
from ledger.models import Client, Invoice


@login_required
@require_GET
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    form = ClientFilterForm(request.GET)
    form.is_valid()
    search = (form.cleaned_data.get("q") or "").strip()
    sort: queries.ClientSort = form.cleaned_data.get("sort") or "name"
    clients = queries.search_clients(business, as_of=timezone.localdate(), q=search, sort=sort)
    page = paginate(request, clients)
    context = {"nav": "clients", "form": form, "search": search, "sort": sort, "page": page}
    return render_page(request, "ledger/client_list.html", "ledger/_client_results.html", context)


def _client_form_response(
    request: AuthenticatedHttpRequest, form: ClientForm, client: Client | None, status: int
) -> HttpResponse:
    context = {"nav": "clients", "form": form, "client": client}
    return render(request, "ledger/client_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    if request.method != "POST":
        return _client_form_response(request, ClientForm(), None, 200)
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client = services.create_client(business=business, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Client « %(name)s » créé.") % {"name": client.name})
            return redirect("pages:client_detail", pk=client.pk)
    return _client_form_response(request, form, None, 422)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    if request.method != "POST":
        return _client_form_response(request, ClientForm(instance=client), client, 200)
    # The form validates a copy: the service compares the stored client with the new values.
    form = ClientForm(request.POST, instance=copy.copy(client))
    if form.is_valid():
        try:
            services.update_client(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Fiche client enregistrée."))
            return redirect("pages:client_detail", pk=client.pk)
    return _client_form_response(request, form, client, 422)


@login_required
@require_POST
def client_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    try:
        services.delete_client(client=client, actor=request.user)
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("pages:client_detail", pk=client.pk)
    messages.success(request, _("Client « %(name)s » supprimé.") % {"name": client.name})
    return redirect("ledger:client_list")


@login_required
@require_GET
def invoice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET, business=business)
    form.is_valid()
    search = (form.cleaned_data.get("q") or "").strip()
    status = form.cleaned_data.get("status") or None
    client = form.cleaned_data.get("client")
    sort: queries.InvoiceSort = form.cleaned_data.get("sort") or "-issue_date"
    invoices = queries.filter_invoices(
        business, as_of=today, status=status, client_id=client.pk if client else None, q=search, sort=sort
    )
    page = paginate(request, invoices)
    context = {
        "nav": "invoices",
        "form": form,
        "sort": sort,
        "page": page,
        "invoices": queries.with_status(page.object_list, today),
        "filtered": bool(search or status or client),
    }
    return render_page(request, "ledger/invoice_list.html", "ledger/_invoice_results.html", context)


def _due_date_rule(business: Business) -> str:
    if business.payment_terms == CUSTOM_DAYS:
        return _("%(days)s jours après la date de facture") % {"days": business.payment_terms_days or 0}
    return str(business.get_payment_terms_display())


def _invoice_form_response(
    request: AuthenticatedHttpRequest, form: InvoiceForm, invoice: Invoice | None, status: int, locked_reason: str = ""
) -> HttpResponse:
    business = form.business
    context = {
        "nav": "invoices",
        "form": form,
        "invoice": invoice,
        "locked_reason": locked_reason,
        "due_date_rule": _due_date_rule(business),
        "default_due_date": _default_due_date(business, form["issue_date"].value()),
        "vat_mention": business.vat_mention,
        # A page that sent the user here to add the invoice's PDF (a reminder) gets them back.
        "next": safe_next(request),
    }
    return render(request, "ledger/invoice_form.html", context, status=status)


def _default_due_date(business: Business, issue_date: Any) -> Any:
    field = InvoiceForm.base_fields["issue_date"]
    try:
        day = field.clean(issue_date)
    except ValidationError:
        return None
    try:
        return services.default_due_date(business, day)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    if request.method != "POST":
        initial = {"issue_date": timezone.localdate(), "client": request.GET.get("client")}
        return _invoice_form_response(request, InvoiceForm(business=business, initial=initial), None, 200)
    form = InvoiceForm(request.POST, request.FILES, business=business)
    if form.is_valid():
        try:
            invoice = services.create_invoice(business=business, actor=request.user, **form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Facture n° %(number)s créée.") % {"number": invoice.number})
            return redirect("pages:invoice_detail", pk=invoice.pk)
    return _invoice_form_response(request, form, None, 422)


def _locked_reason(invoice: Invoice) -> str:
    if invoice.cancelled_at is not None:
        return _("Cette facture est annulée : elle ne peut plus être modifiée.")
    if services.invoice_is_locked(invoice):
        return _(
            "Une relance enregistrée ou envoyée cite cette facture : elle ne peut plus être modifiée, "
            "pour que la relance reste fidèle à la facture. Vous pouvez encore enregistrer un règlement, "
            "ajouter un avoir ou annuler la facture."
        )
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def invoice_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for(request.user, pk)
    business = invoice.business
    options: dict[str, Any] = {"business": business, "has_vat": invoice.vat_amount > 0, "has_pdf": bool(invoice.pdf)}
    locked_reason = _locked_reason(invoice)
    if locked_reason:
        form = InvoiceForm(business=business)
        return _invoice_form_response(request, form, invoice, 409 if request.method == "POST" else 200, locked_reason)
    if request.method != "POST":
        initial = {
            field: getattr(invoice, field)
            for field in ["number", "issue_date", "due_date", "total_excl_tax", "vat_amount", "total_incl_tax", "notes"]
        }
        initial["client"] = invoice.client_id
        return _invoice_form_response(request, InvoiceForm(initial=initial, **options), invoice, 200)
    form = InvoiceForm(request.POST, request.FILES, **options)
    if form.is_valid():
        try:
            # A copy, so that a refused change leaves the page's invoice as it is stored.
            services.update_invoice(invoice=copy.copy(invoice), actor=request.user, **form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            return _invoice_form_response(request, form, invoice, 409, str(error))
        else:
            messages.success(request, _("Facture enregistrée."))
            return redirect(safe_next(request) or reverse("pages:invoice_detail", args=[invoice.pk]))
    return _invoice_form_response(request, form, invoice, 422)


@login_required
@require_GET
def due_date_hint(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    context = {
        "default_due_date": _default_due_date(business, request.GET.get("issue_date")),
        "due_date_rule": _due_date_rule(business),
    }
    return render(request, "ledger/_due_date_hint.html", context)


@login_required
@require_GET
def invoice_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    invoice = get_invoice_for(request.user, pk)
    if not invoice.pdf:
        raise Http404("Aucun PDF pour cette facture.")
    try:
        handle = invoice.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("Le PDF de cette facture est introuvable.") from None
    filename = f"facture-{slugify(invoice.number) or invoice.pk}.pdf"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
