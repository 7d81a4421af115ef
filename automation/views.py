"""The automation settings (plan editor, sending window, preview), the other plans, a client's
plan or exclusion, an invoice's exclusion, and the "À valider" queue."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from automation import queries, services
from automation.lookups import get_auto_reminder_for, get_plan_for
from automation.models import AutomationSettings, AutoReminder, Plan, PlanStep, StepLevel
from automation.scheduler import preview
from core.errors import Conflict
from core.ids import parse_ids
from dunning.choices import Channel
from ledger.lookups import get_client_for, get_invoice_for
from ledger.models import Client, Invoice

PREVIEW_DAYS = 30


@dataclass
class StepRow:
    offset_days: Any
    level: Any
    channel: Any
    needs_approval: bool


def _rows(steps: list[PlanStep] | list[StepRow]) -> list[StepRow]:
    """The plan's steps, then empty rows up to the maximum, for the editor."""
    rows = [StepRow(step.offset_days, step.level, step.channel, step.needs_approval) for step in steps]
    return (
        rows
        + [StepRow("", StepLevel.FRIENDLY, Channel.EMAIL, False) for _ in range(services.MAX_STEPS - len(rows))][:2]
    )


def _posted_steps(data: Any) -> list[StepRow]:
    rows = []
    for number in range(services.MAX_STEPS):
        prefix = f"steps-{number}-"
        if f"{prefix}offset_days" not in data:
            continue
        rows.append(
            StepRow(
                data.get(f"{prefix}offset_days", "").strip(),
                data.get(f"{prefix}level", ""),
                data.get(f"{prefix}channel", Channel.EMAIL),
                data.get(f"{prefix}needs_approval") == "on",
            )
        )
    return rows


def _steps_of(posted: list[StepRow]) -> list[dict[str, Any]]:
    """The posted rows for the service; a row with no number of days is a step removed."""
    return [
        {
            "offset_days": row.offset_days,
            "level": row.level,
            "channel": row.channel,
            "needs_approval": row.needs_approval,
        }
        for row in posted
        if row.offset_days != ""
    ]


def _preview_rows(business: Any) -> list[dict[str, Any]]:
    planned = preview(business, timezone.localdate(), days=PREVIEW_DAYS)
    clients = {c.pk: c for c in Client.objects.filter(pk__in={p.client_id for p in planned})}
    invoice_ids = {pk for p in planned for pk in p.invoice_ids}
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in=invoice_ids)}
    return [
        {
            "day": p.day,
            "client": clients[p.client_id],
            "step": p.step,
            "invoices": [invoices[pk] for pk in p.invoice_ids],
        }
        for p in planned
    ]


def _settings_page(
    request: AuthenticatedHttpRequest,
    automation: AutomationSettings,
    rows: list[StepRow],
    *,
    window: tuple[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    business = current_business(request)
    start, end = window or (automation.window_start.strftime("%H:%M"), automation.window_end.strftime("%H:%M"))
    context = {
        "nav": "settings",
        "section": "automation",
        "automation": automation,
        "window_start": start,
        "window_end": end,
        "rows": rows,
        "errors": errors or {},
        "levels": StepLevel.choices,
        "channels": Channel.choices,
        "preview": _preview_rows(business),
        "preview_days": PREVIEW_DAYS,
        "plans": list(queries.other_plans(business.pk)),
    }
    return render(request, "automation/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def automation_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    automation = services.settings_of(business)
    plan = services.default_plan(business)
    if request.method == "GET":
        return _settings_page(request, automation, _rows(services.plan_steps(plan)))
    posted = _posted_steps(request.POST)
    steps = _steps_of(posted)
    try:
        services.update_automation(
            business=business,
            actor=request.user,
            enabled=request.POST.get("enabled") == "on",
            window_start=request.POST.get("window_start", ""),
            window_end=request.POST.get("window_end", ""),
            steps=steps,
        )
    except ValidationError as error:
        shown = AutomationSettings(business=business, enabled=request.POST.get("enabled") == "on")
        window = (request.POST.get("window_start", ""), request.POST.get("window_end", ""))
        return _settings_page(request, shown, posted, window=window, errors=error.message_dict, status=422)
    messages.success(request, _("Relances automatiques enregistrées."))
    return redirect("automation:settings")


@login_required
@require_http_methods(["GET"])
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    since = timezone.localdate() - dt.timedelta(days=30)
    context = {
        "nav": "approvals",
        "items": list(queries.awaiting_approval(business.pk)),
        "failures": list(queries.recent_failures(business.pk, since)),
    }
    return render(request, "automation/approvals.html", context)


def _decide(request: AuthenticatedHttpRequest, items: list[AutoReminder], approve_them: bool) -> None:
    done, refused = services.decide_many(auto_reminders=items, actor=request.user, approve_them=approve_them)
    if done:
        if approve_them:
            messages.success(request, _("Relance(s) validée(s) : %(count)s.") % {"count": done})
        else:
            messages.success(request, _("Relance(s) écartée(s) : %(count)s.") % {"count": done})
    for reason in refused:
        messages.error(request, reason)


@login_required
@require_http_methods(["POST"])
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _decide(request, [get_auto_reminder_for(request.user, pk)], approve_them=True)
    return redirect("automation:approvals")


@login_required
@require_http_methods(["POST"])
def dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _decide(request, [get_auto_reminder_for(request.user, pk)], approve_them=False)
    return redirect("automation:approvals")


@login_required
@require_http_methods(["POST"])
def decide_selected(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    try:
        ids = parse_ids(request.POST.getlist("selected"))
    except (TypeError, ValueError):
        ids = []
    items = list(
        AutoReminder.objects.filter(business=business, pk__in=ids).select_related("client").order_by("planned_on", "id")
    )
    if not items:
        messages.error(request, _("Cochez au moins une relance."))
        return redirect("automation:approvals")
    _decide(request, items, approve_them=request.POST.get("decision") == "approve")
    return redirect("automation:approvals")


# Other plans, assigned client by client


def _plan_page(
    request: AuthenticatedHttpRequest,
    plan: Plan | None,
    name: str,
    rows: list[StepRow],
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "settings",
        "section": "automation",
        "plan": plan,
        "name": name,
        "rows": rows,
        "errors": errors or {},
        "levels": StepLevel.choices,
        "channels": Channel.choices,
    }
    return render(request, "automation/plan_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    if request.method == "GET":
        default_steps = services.plan_steps(services.default_plan(business))
        return _plan_page(request, None, "", _rows(default_steps))
    posted = _posted_steps(request.POST)
    name = request.POST.get("name", "")
    try:
        plan = services.create_plan(business=business, actor=request.user, name=name, steps=_steps_of(posted))
    except ValidationError as error:
        return _plan_page(request, None, name, posted, errors=error.message_dict, status=422)
    messages.success(request, _("Plan « %(name)s » créé.") % {"name": plan.name})
    return redirect("automation:settings")


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request.user, pk)
    if plan.is_default:
        return redirect("automation:settings")
    if request.method == "GET":
        return _plan_page(request, plan, plan.name, _rows(services.plan_steps(plan)))
    posted = _posted_steps(request.POST)
    name = request.POST.get("name", "")
    try:
        plan = services.update_plan(plan=plan, actor=request.user, name=name, steps=_steps_of(posted))
    except ValidationError as error:
        return _plan_page(request, plan, name, posted, errors=error.message_dict, status=422)
    messages.success(request, _("Plan « %(name)s » enregistré.") % {"name": plan.name})
    return redirect("automation:settings")


@login_required
@require_http_methods(["POST"])
def plan_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request.user, pk)
    try:
        services.delete_plan(plan=plan, actor=request.user)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Plan « %(name)s » supprimé.") % {"name": plan.name})
    return redirect("automation:settings")


# A client's plan, an invoice left out


@login_required
@require_http_methods(["POST"])
def client_automation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    choice = request.POST.get("plan", "").strip()
    plan = None
    if choice not in ("", queries.EXCLUDED):
        try:
            plan_id = int(choice)
        except ValueError:
            plan_id = 0
        plan = Plan.objects.filter(pk=plan_id, business_id=client.business_id).first()
        if plan is None:
            messages.error(request, _("Ce plan n’existe plus : choisissez-en un autre."))
            return redirect("pages:client_detail", pk=client.pk)
    services.set_client_automation(client=client, actor=request.user, plan=plan, excluded=choice == queries.EXCLUDED)
    if choice == queries.EXCLUDED:
        messages.success(request, _("%(name)s ne sera plus relancé automatiquement.") % {"name": client.name})
    else:
        shown = plan.name if plan else _("le plan par défaut")
        messages.success(
            request, _("Relances automatiques de %(name)s : %(plan)s.") % {"name": client.name, "plan": shown}
        )
    return redirect("pages:client_detail", pk=client.pk)


@login_required
@require_http_methods(["POST"])
def invoice_automation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for(request.user, pk)
    excluded = request.POST.get("excluded") == "1"
    services.set_invoice_excluded(invoice=invoice, actor=request.user, excluded=excluded)
    if excluded:
        messages.success(
            request, _("Facture n° %(number)s exclue des relances automatiques.") % {"number": invoice.number}
        )
    else:
        messages.success(
            request, _("Facture n° %(number)s réincluse dans les relances automatiques.") % {"number": invoice.number}
        )
    return redirect("pages:invoice_detail", pk=invoice.pk)
