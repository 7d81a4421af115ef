"""Automatic reminders: the settings (on/off, sending window, the default plan's steps) and
the approval queue, over `automation.services` and `automation.queries`."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx

from api.auth import actor_of, business_of, token_auth
from api.schemas import LIST_ERRORS, WRITE_ERRORS, InputSchema, LimitOffset, omittable
from automation import queries, services
from automation.lookups import get_auto_reminder_for
from automation.models import MAX_OFFSET, AutomationSettings, AutoReminder
from core.ids import MAX_ID

router = Router(auth=token_auth, tags=["Relances automatiques"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la relance à valider.")]
ChannelName = Literal["email", "letter"]
StepLevelNumber = Literal[0, 1, 2, 3]
HourMinute = str


class StepSchema(Schema):
    offset_days: int = Field(
        ge=-MAX_OFFSET, le=MAX_OFFSET, description="Jours après l’échéance (négatif : avant l’échéance)."
    )
    level: StepLevelNumber = Field(
        description="0 rappel de courtoisie (avant l’échéance), 1 relance amiable, 2 seconde relance, 3 mise en demeure."
    )
    channel: ChannelName = "email"
    needs_approval: bool = Field(False, description="La relance attend une validation (file « À valider »).")


class AutomationOut(Schema):
    enabled: bool
    window_start: str = Field(description="Début de la plage d’envoi, HH:MM, heure de Paris, jours ouvrés.")
    window_end: str = Field(description="Fin de la plage d’envoi, HH:MM (exclue).")
    steps: list[StepSchema] = Field(description="Les étapes du plan par défaut, dans l’ordre.")


class AutomationPatch(InputSchema):
    enabled: bool = omittable(description="Désactivées tant que vous ne les activez pas.")
    window_start: HourMinute = omittable(pattern=r"^\d{2}:\d{2}$")
    window_end: HourMinute = omittable(pattern=r"^\d{2}:\d{2}$")
    steps: list[StepSchema] = omittable(
        min_length=1, max_length=services.MAX_STEPS, description="Remplace les étapes du plan par défaut."
    )


class ApprovalInvoice(Schema):
    id: int
    number: str
    due_date: dt.date
    amount_due: str


class ApprovalOut(Schema):
    id: int
    status: Literal["awaiting_approval", "sent", "saved", "failed", "dismissed", "withdrawn"]
    client_id: int
    client_name: str
    level: StepLevelNumber
    channel: ChannelName
    planned_on: dt.date
    reminder_id: int | None = Field(description="Le brouillon de la relance (GET /reminders/{id} pour le relire).")
    invoices: list[ApprovalInvoice]

    @staticmethod
    def resolve_client_name(obj: AutoReminder) -> str:
        return obj.client.name

    @staticmethod
    def resolve_invoices(obj: AutoReminder) -> list[dict[str, Any]]:
        return [
            {
                "id": line.invoice_id,
                "number": line.invoice.number,
                "due_date": line.invoice.due_date,
                "amount_due": f"{line.invoice.amount_due:.2f}",
            }
            for line in obj.lines.all()
        ]


def _automation_out(automation: AutomationSettings) -> dict[str, Any]:
    plan = services.default_plan(automation.business)
    return {
        "enabled": automation.enabled,
        "window_start": automation.window_start.strftime("%H:%M"),
        "window_end": automation.window_end.strftime("%H:%M"),
        "steps": [
            {
                "offset_days": step.offset_days,
                "level": step.level,
                "channel": step.channel,
                "needs_approval": step.needs_approval,
            }
            for step in services.plan_steps(plan)
        ],
    }


@router.get(
    "/automation",
    response={200: AutomationOut, **LIST_ERRORS},
    operation_id="getAutomation",
    summary="Lire le réglage des relances automatiques",
)
def get_automation(request: HttpRequest) -> Any:
    return _automation_out(services.settings_of(business_of(request)))


@router.patch(
    "/automation",
    response={200: AutomationOut, **WRITE_ERRORS},
    operation_id="updateAutomation",
    summary="Activer, régler la plage d’envoi ou les étapes du plan par défaut",
    description="Seuls les champs envoyés changent ; `steps` remplace toutes les étapes.",
)
def update_automation(request: HttpRequest, payload: AutomationPatch) -> Any:
    data = payload.model_dump(exclude_unset=True)
    automation = services.update_automation(business=business_of(request), actor=actor_of(request), **data)
    return _automation_out(automation)


@router.get(
    "/approvals",
    response={200: list[ApprovalOut], **LIST_ERRORS},
    operation_id="listApprovals",
    summary="Lister les relances à valider",
)
@paginate(LimitOffset)
def list_approvals(request: HttpRequest) -> Any:
    return queries.awaiting_approval(business_of(request).pk)


def _fresh(auto_reminder: AutoReminder) -> AutoReminder:
    return AutoReminder.objects.select_related("client").prefetch_related("lines__invoice").get(pk=auto_reminder.pk)


@router.post(
    "/approvals/{id}/approve",
    response={200: ApprovalOut, **WRITE_ERRORS},
    operation_id="approveApproval",
    summary="Valider une relance : elle part (ou le courrier est enregistré)",
    description="422 si une facture a été réglée ou mise en pause depuis ; 409 si elle n’attend plus de validation.",
)
def approve(request: HttpRequest, id: Id) -> Any:
    item = services.approve(auto_reminder=get_auto_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(item)


@router.post(
    "/approvals/{id}/dismiss",
    response={200: ApprovalOut, **WRITE_ERRORS},
    operation_id="dismissApproval",
    summary="Écarter une relance à valider : son brouillon est supprimé, l’étape ne repart pas",
)
def dismiss(request: HttpRequest, id: Id) -> Any:
    item = services.dismiss(auto_reminder=get_auto_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(item)
