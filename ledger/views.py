"""Pages of the ledger: dashboard, late payments, clients, invoices, payments, credit notes."""

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Business
from dunning.models import Reminder
from law.deadlines import invoices_near_limitation, limitation_flags
from law.panel import penalty_panel
from law.terms import CUSTOM_DAYS
from ledger import audit, queries, services
from ledger.forms import (
    BucketFilterForm,
    CancelInvoiceForm,
    ClientFilterForm,
    ClientForm,
    CreditNoteForm,
    InvoiceFilterForm,
    InvoiceForm,
    PaymentForm,
    apply_service_errors,
)
from ledger.htmx import render_page
from ledger.lookups import get_client_for, get_invoice_for, get_payment_for
from ledger.models import ZERO, AuditEvent, Client, Invoice, InvoiceStatus, Payment
from ledger.services import Conflict
from relance.formats import money, percent

PAGE_SIZE = 25
HISTORY_SIZE = 50


def _business(request: HttpRequest) -> Business:
    business = getattr(request.user, "business", None)
    if business is None:
        raise Http404("Aucune entreprise n’est liée à ce compte.")
    return business


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _with_status(invoices: Any, today: Any) -> list[Invoice]:
    """Status and days late of each invoice, computed in Python from its stored amounts."""
    rows = list(invoices)
    labels = dict(InvoiceStatus.choices)
    for invoice in rows:
        invoice.status_key = invoice.status_on(today)  # type: ignore[attr-defined]
        invoice.status_label = labels[invoice.status_key]  # type: ignore[attr-defined]
        invoice.days_late = invoice.days_late_on(today)  # type: ignore[attr-defined]
    return rows


def _history(events: QuerySet[AuditEvent]) -> list[audit.Entry]:
    return audit.describe(events.select_related("actor", "invoice")[:HISTORY_SIZE])


# Dashboard and late payments


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    today = timezone.localdate()
    summary = queries.late_payment_summary(business, today)
    revenue = queries.revenue_cashed(business, today.year)
    ceiling = queries.revenue_ceiling(business)
    has_invoices = summary.total.invoices > 0 or Invoice.objects.filter(business=business).exists()
    context = {
        "nav": "dashboard",
        "summary": summary,
        "revenue": revenue,
        "ceiling": ceiling,
        "ceiling_share": percent(revenue / ceiling.amount * 100) if ceiling and ceiling.amount else "",
        "has_invoices": has_invoices,
        "has_clients": has_invoices or Client.objects.filter(business=business).exists(),
        "to_do": _with_status(queries.never_reminded_late_invoices(business, today)[:5], today),
        "reminder_counts": queries.reminder_counts(business),
        "limitation_flags": invoices_near_limitation(business, today),
        "today": today,
    }
    return render(request, "ledger/dashboard.html", context)


@login_required
@require_GET
def late_payments(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    today = timezone.localdate()
    context = {"nav": "late", "summary": queries.late_payment_summary(business, today), "business": business}
    return render(request, "ledger/late_payments.html", context)


@login_required
@require_GET
def late_bucket(request: HttpRequest, key: str) -> HttpResponse:
    business = _business(request)
    today = timezone.localdate()
    try:
        bucket = queries.find_bucket(business, key)
    except queries.UnknownBucket:
        raise Http404("Tranche inconnue.") from None
    invoices = queries.bucket_invoices(business, key, today)
    clients = Client.objects.filter(business=business, pk__in=invoices.values("client_id")).only("id", "name")
    form = BucketFilterForm(request.GET, clients=clients)
    form.is_valid()
    client = form.cleaned_data.get("client")
    if client is not None:
        invoices = invoices.filter(client=client)
    sort = form.cleaned_data.get("sort") or "-days_late"
    rows = queries.with_last_reminder(invoices.select_related("client")).order_by(*BucketFilterForm.SORTS[sort])
    page = _page(request, rows)
    summary = queries.late_payment_summary(business, today)
    context = {
        "nav": "late",
        "bucket": bucket,
        "row": next(row for row in summary.buckets if row.key == bucket.key),
        "summary": summary,
        "form": form,
        "sort": sort,
        "page": page,
        "invoices": _with_status(page.object_list, today),
        "filtered_client": client,
    }
    return render_page(request, "ledger/late_bucket.html", "ledger/_bucket_results.html", context)


# Clients


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    form = ClientFilterForm(request.GET)
    form.is_valid()
    search = (form.cleaned_data.get("q") or "").strip()
    sort = form.cleaned_data.get("sort") or "name"
    clients = queries.clients_with_balance(business, timezone.localdate())
    if search:
        clients = clients.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(city__icontains=search)
            | Q(contact_name__icontains=search)
        )
    page = _page(request, clients.order_by(*ClientFilterForm.SORTS[sort]))
    context = {"nav": "clients", "form": form, "search": search, "sort": sort, "page": page}
    return render_page(request, "ledger/client_list.html", "ledger/_client_results.html", context)


@login_required
@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    today = timezone.localdate()
    invoices = _with_status(client.invoices.order_by("-issue_date", "-id"), today)
    open_invoices = [
        invoice for invoice in invoices if invoice.status_on(today) in {InvoiceStatus.LATE, InvoiceStatus.NOT_DUE}
    ]
    late = [invoice for invoice in open_invoices if invoice.status_on(today) == InvoiceStatus.LATE]
    flags = limitation_flags(open_invoices, today, debtor=client.kind)
    for flag in flags:
        flag.invoice.limitation_flag = flag  # type: ignore[attr-defined]
    context = {
        "nav": "clients",
        "client": client,
        "invoices": invoices,
        "balance": sum((invoice.amount_due for invoice in open_invoices), ZERO),
        "late_amount": sum((invoice.amount_due for invoice in late), ZERO),
        "late_count": len(late),
        "payments": Payment.objects.filter(business_id=client.business_id, invoice__client=client)
        .select_related("invoice")
        .order_by("-date", "-id"),
        "reminders": Reminder.objects.frozen().filter(business_id=client.business_id, client=client),
        "history": _history(AuditEvent.objects.filter(business_id=client.business_id, client=client)),
        "history_size": HISTORY_SIZE,
        "paused": client.is_paused_on(today),
        "limitation_flags": flags,
    }
    return render(request, "ledger/client_detail.html", context)


def _client_form_response(request: HttpRequest, form: ClientForm, client: Client | None, status: int) -> HttpResponse:
    context = {"nav": "clients", "form": form, "client": client}
    return render(request, "ledger/client_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    if request.method != "POST":
        return _client_form_response(request, ClientForm(), None, 200)
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client = services.create_client(business=business, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Client « %(name)s » créé.") % {"name": client.name})
            return redirect("ledger:client_detail", pk=client.pk)
    return _client_form_response(request, form, None, 422)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    if request.method != "POST":
        return _client_form_response(request, ClientForm(instance=client), client, 200)
    # The form validates a copy: the service compares the stored client with the new values.
    form = ClientForm(request.POST, instance=copy.copy(client))
    if form.is_valid():
        try:
            services.update_client(client=client, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Fiche client enregistrée."))
            return redirect("ledger:client_detail", pk=client.pk)
    return _client_form_response(request, form, client, 422)


@login_required
@require_POST
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    try:
        services.delete_client(client=client, actor=request.user)  # type: ignore[arg-type]
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("ledger:client_detail", pk=client.pk)
    messages.success(request, _("Client « %(name)s » supprimé.") % {"name": client.name})
    return redirect("ledger:client_list")


# Invoices


@login_required
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET, business=business)
    form.is_valid()
    invoices: QuerySet[Invoice] = Invoice.objects.filter(business=business).select_related("client")
    search = (form.cleaned_data.get("q") or "").strip()
    if search:
        invoices = invoices.filter(number__icontains=search)
    if form.cleaned_data.get("status"):
        invoices = queries.invoices_with_status(invoices, form.cleaned_data["status"], today)
    if form.cleaned_data.get("client"):
        invoices = invoices.filter(client=form.cleaned_data["client"])
    sort = form.cleaned_data.get("sort") or "-issue_date"
    page = _page(request, invoices.order_by(*InvoiceFilterForm.SORTS[sort]))
    filtered = bool(search or form.cleaned_data.get("status") or form.cleaned_data.get("client"))
    context = {
        "nav": "invoices",
        "form": form,
        "sort": sort,
        "page": page,
        "invoices": _with_status(page.object_list, today),
        "filtered": filtered,
    }
    return render_page(request, "ledger/invoice_list.html", "ledger/_invoice_results.html", context)


def _due_date_rule(business: Business) -> str:
    if business.payment_terms == CUSTOM_DAYS:
        return _("%(days)s jours après la date de facture") % {"days": business.payment_terms_days or 0}
    return str(business.get_payment_terms_display())


def _invoice_form_response(
    request: HttpRequest, form: InvoiceForm, invoice: Invoice | None, status: int, locked_reason: str = ""
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
def invoice_create(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    if request.method != "POST":
        initial = {"issue_date": timezone.localdate(), "client": request.GET.get("client")}
        return _invoice_form_response(request, InvoiceForm(business=business, initial=initial), None, 200)
    form = InvoiceForm(request.POST, request.FILES, business=business)
    if form.is_valid():
        try:
            invoice = services.create_invoice(business=business, actor=request.user, **form.service_data())  # type: ignore[arg-type]
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Facture n° %(number)s créée.") % {"number": invoice.number})
            return redirect("ledger:invoice_detail", pk=invoice.pk)
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
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
            services.update_invoice(invoice=copy.copy(invoice), actor=request.user, **form.service_data())  # type: ignore[arg-type]
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            return _invoice_form_response(request, form, invoice, 409, str(error))
        else:
            messages.success(request, _("Facture enregistrée."))
            return redirect("ledger:invoice_detail", pk=invoice.pk)
    return _invoice_form_response(request, form, invoice, 422)


@login_required
@require_GET
def due_date_hint(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    context = {
        "default_due_date": _default_due_date(business, request.GET.get("issue_date")),
        "due_date_rule": _due_date_rule(business),
    }
    return render(request, "ledger/_due_date_hint.html", context)


def _invoice_detail_response(
    request: HttpRequest,
    invoice: Invoice,
    *,
    status: int = 200,
    payment_form: PaymentForm | None = None,
    credit_form: CreditNoteForm | None = None,
    cancel_form: CancelInvoiceForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    # Loaded once for the page and for the penalty computation, which reads the same lists.
    prefetch_related_objects([invoice], "payments", "credit_notes")
    payments = list(invoice.payments.all())
    credit_notes = list(invoice.credit_notes.all())
    reminders = list(Reminder.objects.frozen().filter(invoices=invoice).order_by("-frozen_at", "-id"))
    state = invoice.status_on(today)
    context = {
        "nav": "invoices",
        "invoice": invoice,
        "status_key": state,
        "status_label": dict(InvoiceStatus.choices)[state],
        "days_late": invoice.days_late_on(today),
        "payments": payments,
        "credit_notes": credit_notes,
        "paid": sum((payment.amount for payment in payments), ZERO),
        "credited": sum((note.amount for note in credit_notes), ZERO),
        "reminders": reminders,
        # Same rule as services.invoice_is_locked, read from the reminders already loaded.
        "locked": bool(reminders),
        "is_open": state in {InvoiceStatus.LATE, InvoiceStatus.NOT_DUE},
        "payment_form": payment_form
        or PaymentForm(prefix="payment", initial={"date": today, "amount": max(invoice.amount_due, ZERO)}),
        "credit_form": credit_form or CreditNoteForm(prefix="credit", initial={"date": today}),
        "cancel_form": cancel_form or CancelInvoiceForm(prefix="cancel"),
        "history": _history(AuditEvent.objects.filter(business_id=invoice.business_id, invoice=invoice)),
        "history_size": HISTORY_SIZE,
        "penalty_panel": penalty_panel(invoice, today, reminders=reminders) if state == InvoiceStatus.LATE else None,
    }
    return render(request, "ledger/invoice_detail.html", context, status=status)


@login_required
@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_detail_response(request, get_invoice_for(request.user, pk))


@login_required
@require_GET
def invoice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    invoice = get_invoice_for(request.user, pk)
    if not invoice.pdf:
        raise Http404("Aucun PDF pour cette facture.")
    try:
        handle = invoice.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("Le PDF de cette facture est introuvable.") from None
    filename = f"facture-{slugify(invoice.number) or invoice.pk}.pdf"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@login_required
@require_POST
def invoice_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for(request.user, pk)
    form = CancelInvoiceForm(request.POST, prefix="cancel")
    status = 422
    if form.is_valid():
        try:
            services.cancel_invoice(invoice=invoice, actor=request.user, reason=form.cleaned_data["cancel_reason"])  # type: ignore[arg-type]
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            # The form may not even show (cancelled invoice): the message goes above the page.
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, _("Facture n° %(number)s annulée.") % {"number": invoice.number})
            return redirect("ledger:invoice_detail", pk=invoice.pk)
    return _invoice_detail_response(request, invoice, status=status, cancel_form=form)


def _record_on_invoice(
    request: HttpRequest,
    invoice: Invoice,
    form: Any,
    form_name: str,
    record: Callable[..., Any],
    success: Callable[[Any], str],
    anchor: str,
) -> HttpResponse:
    """Record a payment or a credit note from its form: back to the invoice on success, else the
    invoice page again with the form's errors (422) or the state conflict (409)."""
    status = 422
    if form.is_valid():
        try:
            recorded = record(invoice=invoice, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            # The form may not even show (cancelled invoice): the message goes above the page.
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, success(recorded))
            return redirect(reverse("ledger:invoice_detail", args=[invoice.pk]) + anchor)
    return _invoice_detail_response(request, invoice, status=status, **{form_name: form})


@login_required
@require_POST
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_on_invoice(
        request,
        get_invoice_for(request.user, pk),
        PaymentForm(request.POST, prefix="payment"),
        "payment_form",
        services.record_payment,
        lambda payment: _("Règlement de %(amount)s enregistré.") % {"amount": money(payment.amount)},
        "#reglements",
    )


@login_required
@require_POST
def payment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_payment_for(request.user, pk)
    services.delete_payment(payment=payment, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Règlement de %(amount)s supprimé.") % {"amount": money(payment.amount)})
    return redirect(reverse("ledger:invoice_detail", args=[payment.invoice_id]) + "#reglements")


@login_required
@require_POST
def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_on_invoice(
        request,
        get_invoice_for(request.user, pk),
        CreditNoteForm(request.POST, prefix="credit"),
        "credit_form",
        services.record_credit_note,
        lambda note: (
            _("Avoir n° %(number)s de %(amount)s enregistré.") % {"number": note.number, "amount": money(note.amount)}
        ),
        "#avoirs",
    )
