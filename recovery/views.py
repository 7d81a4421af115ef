"""The "Mises en recouvrement" tab: collection cases, their timeline, evidence pack and agencies."""

import csv
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from core.dates import in_range
from core.errors import Conflict
from core.formats import money
from core.ids import parse_ids
from dunning import queries as dunning_queries
from dunning.lookups import get_reminder_for
from dunning.models import Reminder
from law.limitation import Limitation, limitation
from ledger.forms import apply_service_errors
from ledger.lookups import get_client_for, get_invoice_for
from ledger.models import Client, Invoice
from recovery import evidence, queries, services
from recovery.forms import JUDICIAL, AgencyForm, CaseFilterForm, CaseForm, EventForm
from recovery.lookups import get_agency_for, get_case_for
from recovery.models import CaseStatus, CollectionCase

PAGE_SIZE = 25


@dataclass
class CandidateRow:
    invoice: Invoice
    notice: Reminder | None
    days_late: int
    limitation: Limitation


def _filtered_cases(request: AuthenticatedHttpRequest) -> tuple[CaseFilterForm, Any]:
    business = current_business(request)
    form = CaseFilterForm(request.GET, agencies=list(queries.agencies(business)))
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    agency = data.get("agency") or ""
    cases = queries.search_cases(
        business,
        status=data.get("status") or None,
        agency_id=int(agency) if agency.isdigit() else None,
        judicial=agency == JUDICIAL,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return form, cases


def _decorate(cases: list[CollectionCase], today: dt.date) -> list[CollectionCase]:
    for case in cases:
        case.commission = queries.commission_of(case)  # type: ignore[attr-defined]
        case.age = queries.age_of(case, today)  # type: ignore[attr-defined]
        case.limitation_deadline = queries.limitation_of(case)  # type: ignore[attr-defined]
    return cases


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    today = timezone.localdate()
    form, cases = _filtered_cases(request)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = list(dunning_queries.collection_candidates(business)[:PAGE_SIZE])
    notices = dunning_queries.formal_notices(candidates)
    context = {
        "nav": "collections",
        "form": form,
        "page": page,
        "cases": _decorate(list(page.object_list), today),
        "totals": queries.totals(cases),
        "filtered": any(request.GET.get(key) for key in ("status", "agency", "date_from", "date_to")),
        "candidates": [
            CandidateRow(
                invoice=invoice,
                notice=notices.get(invoice.pk),
                days_late=invoice.days_late_on(today),
                limitation=limitation(invoice.due_date, invoice.client.kind, today),
            )
            for invoice in candidates
        ],
        "today": today,
    }
    return render(request, "recovery/case_list.html", context)


@login_required
@require_GET
def case_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list as CSV (semicolons, UTF-8 with BOM: a French spreadsheet opens it as is)."""
    today = timezone.localdate()
    _form, cases = _filtered_cases(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mises-en-recouvrement-{today:%Y-%m-%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Dossier",
            "Client",
            "Agence",
            "Transmis le",
            "Statut",
            "Montant transmis",
            "Recouvré",
            "Reste dû",
            "Commission (%)",
            "Commission",
            "Âge (jours)",
            "Prescription",
        ]
    )
    for case in _decorate(list(cases), today):
        # The figures annotated by the query and set by `_decorate`.
        row = vars(case)
        deadline = row["limitation_deadline"]
        writer.writerow(
            [
                case.pk,
                case.client.name,
                case.agency_label,
                case.transmitted_on.isoformat(),
                case.get_status_display(),
                f"{row['claimed']:.2f}",
                f"{row['recovered']:.2f}",
                f"{row['outstanding']:.2f}",
                f"{case.commission_rate:.2f}",
                f"{row['commission']:.2f}",
                row["age"],
                deadline.isoformat() if deadline else "",
            ]
        )
    return response


# Opening a case


def _ids(values: list[str]) -> list[int]:
    try:
        return parse_ids(values)
    except ValueError:
        return []


def _one_id(value: str) -> int:
    """An id from the query string; 0 (found nowhere, so 404) when it is not one."""
    ids = _ids([value])
    return ids[0] if ids else 0


def _start(request: AuthenticatedHttpRequest, data: Any) -> tuple[Client | None, list[int]]:
    """The client and the invoices chosen where "Mettre en recouvrement" was clicked: an invoice,
    a selection of one client's invoices, a client, or a formal notice."""
    ids = _ids(data.getlist("invoice_ids"))
    if ids:
        first = get_invoice_for(request.user, ids[0])
        return first.client, ids
    if data.get("reminder"):
        reminder = get_reminder_for(request.user, _one_id(data["reminder"]))
        return reminder.client, [line.invoice_id for line in reminder.lines.all()]
    if data.get("client"):
        client = get_client_for(request.user, _one_id(data["client"]))
        late = Invoice.objects.late_on(timezone.localdate()).filter(client=client, in_collection_since__isnull=True)
        return client, list(late.values_list("pk", flat=True))
    return None, []


def _case_form_context(request: AuthenticatedHttpRequest, form: CaseForm, client: Client) -> dict[str, Any]:
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for invoice in form.invoices:
        state = limitation(invoice.due_date, client.kind, today)
        rows.append({"invoice": invoice, "limitation": state, "field_id": f"invoice-{invoice.pk}"})
    return {
        "nav": "collections",
        "form": form,
        "client": client,
        "rows": rows,
        "any_time_barred": any(row["limitation"].expired for row in rows),
        "selected": {str(value) for value in (form["invoice_ids"].value() or [])},
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    data = request.POST if request.method == "POST" else request.GET
    client, chosen = _start(request, data)
    if client is None:
        messages.error(request, _("Choisissez les factures à mettre en recouvrement, depuis une facture ou un client."))
        return redirect("recovery:case_list")
    invoices = list(
        Invoice.objects.open()
        .filter(business=business, client=client)
        .filter(in_collection_since__isnull=True)
        .select_related("client")
        .order_by("due_date", "number")
    )
    agencies = list(queries.agencies(business))
    today = timezone.localdate()
    initial = {"invoice_ids": chosen, "transmitted_on": today}
    # The bucket listing's selection arrives as a POST that only chooses: the form, not yet a case.
    if request.method == "GET" or request.POST.get("prefill"):
        form = CaseForm(initial=initial, invoices=invoices, agencies=agencies)
        return render(request, "recovery/case_form.html", _case_form_context(request, form, client))
    form = CaseForm(request.POST, invoices=invoices, agencies=agencies)
    status = 422
    if form.is_valid():
        agency_value = form.cleaned_data["agency"]
        try:
            agency = None if agency_value == JUDICIAL else get_agency_for(request.user, int(agency_value))
            case = services.open_case(
                business=business,
                actor=request.user,
                invoice_ids=form.cleaned_data["invoice_ids"],
                agency=agency,
                transmitted_on=form.cleaned_data["transmitted_on"],
                note=form.cleaned_data["note"],
                documents=form.cleaned_data["documents"],
                confirm_time_barred=form.cleaned_data["confirm_time_barred"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(
                request, _("Dossier n° %(case)s ouvert : ses factures ne sont plus relancées.") % {"case": case.pk}
            )
            return redirect("recovery:case_detail", pk=case.pk)
    return render(request, "recovery/case_form.html", _case_form_context(request, form, client), status=status)


# A case


def _case_detail_response(
    request: AuthenticatedHttpRequest, case: CollectionCase, *, form: EventForm | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    figures = queries.with_figures(CollectionCase.objects.filter(pk=case.pk)).select_related("client", "agency").get()
    lines = list(case.lines.select_related("invoice").order_by("invoice__due_date", "invoice__number"))
    for line in lines:
        line.limitation = limitation(line.invoice.due_date, case.client.kind, today)  # type: ignore[attr-defined]
        # What the user typed in the split, shown again when the step is refused.
        line.part = request.POST.get(f"part-{line.invoice_id}", "")  # type: ignore[attr-defined]
    allowed = services.TRANSITIONS[case.status]
    if form is None:
        # The likeliest next step: "en cours" after the transmission, else the same status again.
        preferred = [CaseStatus.IN_PROGRESS, case.status, *CaseStatus.values]
        next_status = next((status for status in preferred if status in allowed), "")
        form = EventForm(initial={"date": today, "key": EventForm.new_key(), "status": next_status})
    status_field = form.fields["status"]
    status_field.choices = [choice for choice in CaseStatus.choices if choice[0] in allowed]  # type: ignore[attr-defined]
    context = {
        "nav": "collections",
        "case": case,
        "figures": figures,
        "commission": queries.commission_of(figures),
        "limitation_deadline": queries.limitation_of(figures),
        "age": queries.age_of(case, today),
        "lines": lines,
        "events": list(case.events.order_by("date", "id")),
        "form": form,
        "can_change": bool(allowed),
        "split_posted": any(getattr(line, "part", "") for line in lines),
        "today": today,
    }
    return render(request, "recovery/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _case_detail_response(request, get_case_for(request.user, pk))


@login_required
@require_POST
def case_event(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    form = EventForm(request.POST)
    form.fields["status"].choices = CaseStatus.choices  # type: ignore[attr-defined]
    status = 422
    if form.is_valid():
        try:
            event = services.add_event(
                case=case,
                actor=request.user,
                status=form.cleaned_data["status"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                amount=form.cleaned_data["amount"],
                allocations=_split(request, case),
                key=form.cleaned_data["key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
            status = 409
        else:
            text = _("Étape « %(status)s » enregistrée.") % {"status": event.get_status_display()}
            if event.amount:
                text += " " + _("%(amount)s enregistrés comme règlement.") % {"amount": money(event.amount)}
            messages.success(request, text)
            return redirect(reverse("recovery:case_detail", args=[case.pk]) + "#chronologie")
    case.refresh_from_db()
    return _case_detail_response(request, case, form=form, status=status)


def _split(request: AuthenticatedHttpRequest, case: CollectionCase) -> dict[int, str] | None:
    """The user's split of the amount between the case's invoices (`part-<invoice id>` fields
    left empty are not part of it); None: the oldest due date first."""
    parts = {}
    for invoice_id in case.lines.values_list("invoice_id", flat=True):
        value = request.POST.get(f"part-{invoice_id}", "").strip()
        if value:
            parts[invoice_id] = value
    return parts or None


def _as_of(request: AuthenticatedHttpRequest) -> dt.date:
    """The day the figures are computed at (`?date=AAAA-MM-JJ`), today by default."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    return day if in_range(day) else timezone.localdate()


def _download(build: Any, content_type: str, filename: str) -> HttpResponse:
    # A document for the agency or the court: French whatever the interface language.
    with translation.override("fr"):
        content = build()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def case_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    as_of = _as_of(request)
    name = f"dossier-recouvrement-{case.pk}-{slugify(case.client.name) or 'client'}-{as_of:%Y-%m-%d}.zip"
    return _download(lambda: evidence.evidence_zip(case, as_of), "application/zip", name)


@login_required
@require_GET
def case_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    as_of = _as_of(request)
    name = f"recapitulatif-creance-{case.pk}-{as_of:%Y-%m-%d}.pdf"
    return _download(lambda: evidence.render_claim_summary(case, as_of), "application/pdf", name)


@login_required
@require_GET
def invoice_case(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The open case holding an invoice: where the "En recouvrement" badges of the lists lead."""
    invoice = get_invoice_for(request.user, pk)
    case = queries.open_case_of_invoice(current_business(request), invoice.pk)
    if case is None:
        raise Http404("Aucun dossier de recouvrement ouvert pour cette facture.")
    return redirect("recovery:case_detail", pk=case.pk)


# Agencies


@login_required
@require_GET
def agency_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    agencies = queries.agencies(current_business(request)).annotate(case_count=Count("cases"))
    return render(request, "recovery/agency_list.html", {"nav": "collections", "agencies": agencies})


@login_required
@require_http_methods(["GET", "POST"])
def agency_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.create_agency(business=business, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Agence « %(name)s » ajoutée.") % {"name": agency.name})
            return redirect("recovery:agency_list")
    status = 422 if form.errors else 200
    return render(request, "recovery/agency_form.html", {"nav": "collections", "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = get_agency_for(request.user, pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Agence « %(name)s » enregistrée.") % {"name": form.cleaned_data["name"]})
            return redirect("recovery:agency_list")
    status = 422 if form.errors else 200
    context = {"nav": "collections", "form": form, "agency": agency}
    return render(request, "recovery/agency_form.html", context, status=status)


@login_required
@require_POST
def agency_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = get_agency_for(request.user, pk)
    try:
        services.delete_agency(agency=agency, actor=request.user)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Agence « %(name)s » supprimée.") % {"name": agency.name})
    return redirect("recovery:agency_list")
