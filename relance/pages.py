"""The pages that show the books with everything the apps above the ledger know of them.

The dashboard, the late-payments views, and the client and invoice pages bring together the
ledger (amounts, payments), dunning (reminders, penalties) and what comes above it, so they are
composed here, at the top of the house, where every app may be imported.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from automation import queries as automation_queries
from core.errors import Conflict
from core.formats import money, percent
from core.htmx import render_page
from core.models import AuditEvent
from core.paging import paginate
from dunning import queries as dunning_queries
from dunning.models import Reminder
from dunning.panel import penalty_panel
from law.limitation import limitation, limitation_deadline
from ledger import audit, queries, services
from ledger.forms import BucketFilterForm, CancelInvoiceForm, CreditNoteForm, PaymentForm, apply_service_errors
from ledger.limitation import invoices_near_limitation, limitation_flags
from ledger.lookups import get_client_for, get_invoice_for, get_payment_for
from ledger.models import ZERO, Client, Invoice, InvoiceStatus, Payment


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
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
        "to_do": queries.with_status(dunning_queries.never_reminded_late_invoices(business, today)[:5], today),
        "reminder_counts": dunning_queries.reminder_counts(business),
        "limitation_flags": invoices_near_limitation(business, today),
        "today": today,
    }
    return render(request, "ledger/dashboard.html", context)


@login_required
@require_GET
def late_payments(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    today = timezone.localdate()
    context = {"nav": "late", "summary": queries.late_payment_summary(business, today), "business": business}
    return render(request, "ledger/late_payments.html", context)


# What a bucket's row shows (relance/templatetags/invoice_rows.py) and its status needs: the
# page reads a third of the columns (no notes, no file paths, no audit dates).
BUCKET_ROW_FIELDS = (
    *("number", "issue_date", "due_date", "total_incl_tax", "amount_due", "cancelled_at"),
    *("disputed", "dispute_reason", "reminders_paused_until", "in_collection_since", "client_id"),
    *("client__name", "client__kind", "client__reminders_paused", "client__pause_until", "client__pause_reason"),
)


@login_required
@require_GET
def late_bucket(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    business = current_business(request)
    today = timezone.localdate()
    try:
        bucket = queries.find_bucket(business, key)
    except queries.UnknownBucket:
        raise Http404("Tranche inconnue.") from None
    form = BucketFilterForm(request.GET, clients=Client.objects.filter(business=business).only("id", "name"))
    form.is_valid()
    client = form.cleaned_data.get("client")
    search = form.cleaned_data.get("q") or ""
    sort = form.cleaned_data.get("sort") or "-days_late"
    invoices = queries.bucket_invoices(business, key, today, client=client, client_name=search)
    rows = dunning_queries.with_last_reminder(invoices.select_related("client").only(*BUCKET_ROW_FIELDS)).order_by(
        *BucketFilterForm.SORTS[sort]
    )
    # The tabs and the head come from the late-payment summary (cached per state of the books);
    # unfiltered, it also gives the paginator its count, so only the page's rows are read.
    summary = queries.late_payment_summary(business, today)
    row = next(row for row in summary.buckets if row.key == bucket.key)
    filtered = client is not None or bool(search.strip())
    page = paginate(request, rows, count=None if filtered else row.invoices)
    shown = queries.with_status(page.object_list, today)
    for invoice in shown:
        # The limitation deadline, from what the row already holds (no query).
        invoice.limitation_deadline = limitation_deadline(invoice.due_date, invoice.client.kind)  # type: ignore[attr-defined]
    context = {
        "nav": "late",
        "bucket": bucket,
        "row": row,
        "summary": summary,
        "form": form,
        "sort": sort,
        "page": page,
        "invoices": shown,
        "filtered_client": client,
        "search": search.strip(),
        "today": today,
    }
    return render_page(request, "ledger/late_bucket.html", "ledger/_bucket_results.html", context)


@login_required
@require_GET
def client_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    today = timezone.localdate()
    invoices = queries.with_status(client.invoices.order_by("-issue_date", "-id"), today)
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
        "history": audit.history(AuditEvent.objects.filter(business_id=client.business_id, client=client)),
        "history_size": audit.HISTORY_SIZE,
        "paused": client.is_paused_on(today),
        "limitation_flags": flags,
        "automation_plans": list(automation_queries.assignable_plans(client.business_id)),
        "automation_choice": automation_queries.client_choice(client.pk),
        "automation_excluded": automation_queries.EXCLUDED,
    }
    return render(request, "ledger/client_detail.html", context)


def _invoice_detail_response(
    request: AuthenticatedHttpRequest,
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
        "history": audit.history(AuditEvent.objects.filter(business_id=invoice.business_id, invoice=invoice)),
        "history_size": audit.HISTORY_SIZE,
        "penalty_panel": penalty_panel(invoice, today, reminders=reminders) if state == InvoiceStatus.LATE else None,
        "limitation": limitation(invoice.due_date, invoice.client.kind, today),
        "automation_excluded": automation_queries.is_invoice_excluded(invoice.pk),
    }
    return render(request, "ledger/invoice_detail.html", context, status=status)


@login_required
@require_GET
def invoice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _invoice_detail_response(request, get_invoice_for(request.user, pk))


@login_required
@require_POST
def invoice_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for(request.user, pk)
    form = CancelInvoiceForm(request.POST, prefix="cancel")
    status = 422
    if form.is_valid():
        try:
            services.cancel_invoice(invoice=invoice, actor=request.user, reason=form.cleaned_data["cancel_reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            # The form may not even show (cancelled invoice): the message goes above the page.
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, _("Facture n° %(number)s annulée.") % {"number": invoice.number})
            return redirect("pages:invoice_detail", pk=invoice.pk)
    return _invoice_detail_response(request, invoice, status=status, cancel_form=form)


def _record_on_invoice(
    request: AuthenticatedHttpRequest,
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
            return redirect(reverse("pages:invoice_detail", args=[invoice.pk]) + anchor)
    return _invoice_detail_response(request, invoice, status=status, **{form_name: form})


@login_required
@require_POST
def payment_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def payment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = get_payment_for(request.user, pk)
    services.delete_payment(payment=payment, actor=request.user)
    messages.success(request, _("Règlement de %(amount)s supprimé.") % {"amount": money(payment.amount)})
    return redirect(reverse("pages:invoice_detail", args=[payment.invoice_id]) + "#reglements")


@login_required
@require_POST
def credit_note_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
