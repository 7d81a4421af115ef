"""Automatic reminders: the settings (on/off, sending window, the default plan's steps), the
other plans, a client's plan or exclusion, an invoice's exclusion, and the approval queue, over
`automation.services` and `automation.queries`."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.schemas import LIST_ERRORS, WRITE_ERRORS, InputSchema, LimitOffset, omittable
from automation import queries, services
from automation.lookups import get_auto_reminder_for, get_plan_for
from automation.models import MAX_OFFSET, AutomationSettings, AutoReminder, ClientAutomation, Plan
from core.ids import MAX_ID
from ledger.lookups import get_client_for, get_invoice_for

router = Router(auth=token_auth, tags=["Relances automatiques"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la relance à valider.")]
PlanId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du plan.")]
ClientId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du client.")]
InvoiceId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la facture.")]
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


class PlanOut(Schema):
    id: int
    name: str
    client_count: int = Field(description="Clients qui suivent ce plan.")
    steps: list[StepSchema]


class PlanIn(InputSchema):
    name: str = Field(min_length=1, max_length=services.PLAN_NAME_LENGTH)
    steps: list[StepSchema] = Field(min_length=1, max_length=services.MAX_STEPS)


class PlanPatch(InputSchema):
    name: str = omittable(min_length=1, max_length=services.PLAN_NAME_LENGTH)
    steps: list[StepSchema] = omittable(
        min_length=1, max_length=services.MAX_STEPS, description="Remplace toutes les étapes du plan."
    )


class ClientAutomationIn(InputSchema):
    plan_id: int | None = Field(None, ge=1, le=MAX_ID, description="Le plan du client ; null : le plan par défaut.")
    excluded: bool = Field(False, description="Le client n’est plus relancé automatiquement.")


class ClientAutomationOut(Schema):
    client_id: int
    plan_id: int | None
    excluded: bool


class InvoiceAutomationIn(InputSchema):
    excluded: bool = Field(description="La facture n’est plus relancée automatiquement.")


class InvoiceAutomationOut(Schema):
    invoice_id: int
    excluded: bool


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


# Other plans, assigned client by client


def _plan_out(plan: Plan) -> dict[str, Any]:
    fresh = next(iter(queries.other_plans(plan.business_id).filter(pk=plan.pk)))
    return _plan_dict(fresh)


def _plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "client_count": plan.client_count,  # type: ignore[attr-defined]
        "steps": [
            {
                "offset_days": step.offset_days,
                "level": step.level,
                "channel": step.channel,
                "needs_approval": step.needs_approval,
            }
            for step in plan.live_steps  # type: ignore[attr-defined]
        ],
    }


@router.get(
    "/automation/plans",
    response={200: list[PlanOut], **LIST_ERRORS},
    operation_id="listPlans",
    summary="Lister les autres plans (hors plan par défaut)",
)
def list_plans(request: HttpRequest) -> Any:
    return [_plan_dict(plan) for plan in queries.other_plans(business_of(request).pk)]


@router.post(
    "/automation/plans",
    response={201: PlanOut, **WRITE_ERRORS},
    operation_id="createPlan",
    summary="Créer un plan, à choisir ensuite pour certains clients",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    data = payload.model_dump()
    plan = services.create_plan(business=business_of(request), actor=actor_of(request), **data)
    return Status(201, _plan_out(plan))


@router.patch(
    "/automation/plans/{id}",
    response={200: PlanOut, **WRITE_ERRORS},
    operation_id="updatePlan",
    summary="Renommer un plan ou remplacer ses étapes",
    description="Seuls les champs envoyés changent. Le plan par défaut se règle par PATCH /automation (409 ici).",
)
def update_plan(request: HttpRequest, id: PlanId, payload: PlanPatch) -> Any:
    plan = get_plan_for(actor_of(request), id)
    data = payload.model_dump(exclude_unset=True)
    return _plan_out(services.update_plan(plan=plan, actor=actor_of(request), **data))


@router.delete(
    "/automation/plans/{id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deletePlan",
    summary="Supprimer un plan",
    description="Refusé (409) tant que des clients le suivent, s’il a déjà envoyé des relances, "
    "ou pour le plan par défaut.",
)
def delete_plan(request: HttpRequest, id: PlanId) -> Any:
    services.delete_plan(plan=get_plan_for(actor_of(request), id), actor=actor_of(request))
    return Status(204, None)


@router.put(
    "/clients/{id}/automation",
    response={200: ClientAutomationOut, **WRITE_ERRORS},
    operation_id="setClientAutomation",
    summary="Choisir le plan d’un client, ou ne plus le relancer automatiquement",
    tags=["Relances automatiques", "Clients"],
)
def set_client_automation(request: HttpRequest, id: ClientId, payload: ClientAutomationIn) -> Any:
    client = get_client_for(actor_of(request), id)
    plan = None
    if payload.plan_id is not None:
        plan = Plan.objects.filter(pk=payload.plan_id, business_id=client.business_id).first()
        if plan is None:
            raise ValidationError({"plan_id": _("Plan introuvable.")})
    row: ClientAutomation = services.set_client_automation(
        client=client, actor=actor_of(request), plan=plan, excluded=payload.excluded
    )
    return {"client_id": client.pk, "plan_id": row.plan_id, "excluded": row.excluded}


@router.put(
    "/invoices/{id}/automation",
    response={200: InvoiceAutomationOut, **WRITE_ERRORS},
    operation_id="setInvoiceAutomation",
    summary="Exclure une facture des relances automatiques, ou l’y réinclure",
    tags=["Relances automatiques", "Factures"],
)
def set_invoice_automation(request: HttpRequest, id: InvoiceId, payload: InvoiceAutomationIn) -> Any:
    invoice = get_invoice_for(actor_of(request), id)
    services.set_invoice_excluded(invoice=invoice, actor=actor_of(request), excluded=payload.excluded)
    return {"invoice_id": invoice.pk, "excluded": payload.excluded}
