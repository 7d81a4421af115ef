"""The automation settings (plan editor, sending window, preview) and the "À valider" queue."""

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
from automation.lookups import get_auto_reminder_for
from automation.models import AutomationSettings, AutoReminder, PlanStep, StepLevel
from automation.scheduler import preview
from core.ids import parse_ids
from dunning.choices import Channel
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
    steps = [
        {
            "offset_days": row.offset_days,
            "level": row.level,
            "channel": row.channel,
            "needs_approval": row.needs_approval,
        }
        for row in posted
        if row.offset_days != ""
    ]
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
