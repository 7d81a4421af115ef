"""Reminders over the workflow's services: the same rules as the pages, every state change included.

Lookups go through `dunning.lookups` (another business's id → 404); changes through
`dunning.services`, which raise ValidationError (422), Conflict (409) or Http404.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.schemas import (
    LIST_ERRORS,
    MAX_NOTES,
    READ_ERRORS,
    WRITE_ERRORS,
    CleanText,
    InputSchema,
    IsoDate,
    LimitOffset,
    Money,
    ObjectId,
    max_length,
    omittable,
)
from core.ids import MAX_ID
from dunning import facts, queries, services
from dunning.lookups import get_reminder_for
from dunning.models import Reminder

router = Router(auth=token_auth, tags=["Relances"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la relance.")]
ChannelName = Literal["email", "letter"]
LevelNumber = Literal[1, 2, 3]
StatusName = Literal["draft", "saved", "sending", "sent", "send_failed", "send_uncertain"]
MAX_INVOICES = 100


class ReminderOut(Schema):
    id: int
    status: StatusName = Field(
        description=(
            "draft, saved, sending, sent, send_failed, ou send_uncertain : l’envoi s’est interrompu avant la "
            "réponse du serveur d’envoi, l’e-mail a pu arriver ou non (resend ou mark-sent)."
        )
    )
    level: LevelNumber = Field(description="1 relance amiable, 2 seconde relance, 3 mise en demeure.")
    channel: ChannelName
    client_id: int
    invoice_ids: list[int]
    reference: str = Field(description="Attribuée à l’enregistrement ou à l’envoi (vide pour un brouillon).")
    subject: str = Field(
        description="Brouillon : le texte avec ses variables ; relance figée : le texte tel qu’envoyé ou imprimé."
    )
    body: str
    letter_subject: str = Field(description="Relance par e-mail : objet du courrier PDF joint.")
    letter_body: str = Field(description="Relance par e-mail : texte du courrier PDF joint.")
    include_penalties: bool
    attach_invoice_pdfs: bool
    total_due: Money | None = Field(description="Montant réclamé, pénalités comprises (relance figée).")
    created_at: dt.datetime
    frozen_at: dt.datetime | None
    sent_at: dt.datetime | None
    recipient_email: str
    message_id: str
    send_error: str
    pdf_sha256: str
    registered_number: str
    receipt_date: dt.date | None
    deactivated: bool
    deactivated_at: dt.datetime | None

    @staticmethod
    def resolve_invoice_ids(obj: Reminder) -> list[int]:
        return [line.invoice_id for line in obj.lines.all()]

    @staticmethod
    def resolve_deactivated(obj: Reminder) -> bool:
        return obj.deactivated_at is not None

    @staticmethod
    def resolve_total_due(obj: Reminder) -> str | None:
        return (obj.snapshot.get("totals") or {}).get("total_due")


class ReminderIn(InputSchema):
    invoice_ids: list[ObjectId] = Field(
        min_length=1, max_length=MAX_INVOICES, description="Factures impayées d’un même client."
    )
    level: LevelNumber | None = Field(None, description="Absent : le niveau suivant (1 + le plus haut déjà envoyé).")
    channel: ChannelName | None = Field(None, description="Absent : e-mail si le client a une adresse, sinon courrier.")


class ReminderPatch(InputSchema):
    level: LevelNumber = omittable(
        description="Changer de niveau reprend les textes et le choix des pénalités du modèle de ce niveau."
    )
    channel: ChannelName = omittable(
        description="Changer de canal reprend le texte du modèle ; les textes envoyés ensuite s’appliquent au nouveau canal."
    )
    subject: str = omittable(max_length=max_length(Reminder, "subject"))
    body: str = omittable(max_length=MAX_NOTES)
    letter_subject: str = omittable(max_length=max_length(Reminder, "letter_subject"))
    letter_body: str = omittable(max_length=MAX_NOTES)
    include_penalties: bool = omittable()
    attach_invoice_pdfs: bool = omittable()
    invoice_ids: list[ObjectId] = omittable(min_length=1, max_length=MAX_INVOICES)


class FreezeIn(InputSchema):
    confirm_dispute_or_pause: bool = Field(
        False,
        description=(
            "Obligatoire (true) quand une facture est contestée ou que les relances du client ou d’une facture "
            "sont en pause : sinon 422 nommant le motif."
        ),
    )


class RegisteredLetterIn(InputSchema):
    number: str = Field(max_length=max_length(Reminder, "registered_number"), description="N° du recommandé.")
    receipt_date: IsoDate | None = Field(None, description="Date de réception de l’accusé.")


class ReminderFilters(CleanText):
    sent_from: IsoDate | None = Field(
        None,
        description="Enregistrées ou envoyées à partir de ce jour (inclus) ; brouillons : créés à partir de ce jour.",
    )
    sent_to: IsoDate | None = Field(None, description="Jusqu’à ce jour (inclus).")
    client_id: ObjectId | None = None
    level: int | None = Field(None, ge=1, le=3, description="1, 2 ou 3.")
    channel: ChannelName | None = None
    status: StatusName | None = Field(
        None,
        description=(
            "Absent : toutes les relances figées (pas les brouillons). draft : les brouillons, "
            "le dernier modifié d’abord."
        ),
    )
    include_inactive: bool = Field(False, description="Inclure les relances désactivées.")


def _fresh(reminder: Reminder) -> Reminder:
    """The reminder as the database now has it (a task may have moved it on)."""
    return Reminder.objects.select_related("client").prefetch_related("lines").get(pk=reminder.pk)


@router.get(
    "/reminders",
    response={200: list[ReminderOut], **LIST_ERRORS},
    operation_id="listReminders",
    summary="Lister les relances",
    description="Les relances enregistrées ou envoyées, les plus récentes d’abord (l’historique).",
)
@paginate(LimitOffset)
def list_reminders(request: HttpRequest, filters: Query[ReminderFilters]) -> Any:
    return queries.reminder_history(
        business_of(request),
        date_from=filters.sent_from,
        date_to=filters.sent_to,
        client_id=filters.client_id,
        level=filters.level,
        channel=filters.channel,
        status=filters.status,
        show_deactivated=filters.include_inactive,
    )


@router.post(
    "/reminders",
    response={201: ReminderOut, **WRITE_ERRORS},
    operation_id="createReminder",
    summary="Créer un brouillon de relance",
    description=(
        "Pour des factures impayées d’un même client, au niveau suivant, prérempli depuis le modèle. "
        "409 quand une mise en demeure a déjà été envoyée et qu’aucun niveau n’est indiqué."
    ),
)
def create_reminder(request: HttpRequest, payload: ReminderIn) -> Any:
    reminder = services.create_reminder(
        business=business_of(request),
        actor=actor_of(request),
        invoice_ids=payload.invoice_ids,
        level=payload.level,
        channel=payload.channel,
    )
    return Status(201, _fresh(reminder))


@router.get(
    "/reminders/{id}",
    response={200: ReminderOut, **READ_ERRORS},
    operation_id="getReminder",
    summary="Lire une relance",
)
def get_reminder(request: HttpRequest, id: Id) -> Any:
    reminder = get_reminder_for(actor_of(request), id)
    # As on its page: a client polling a send that stopped learns it is uncertain.
    if reminder.status == Reminder.Status.SENDING:
        services.reclaim_stale_sends(reminder_id=reminder.pk)
    return _fresh(reminder)


@router.patch(
    "/reminders/{id}",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="updateReminder",
    summary="Modifier un brouillon",
    description="Seuls les champs envoyés changent. 409 pour une relance enregistrée ou envoyée.",
)
def update_reminder(request: HttpRequest, id: Id, payload: ReminderPatch) -> Any:
    reminder = get_reminder_for(actor_of(request), id)
    reminder = services.update_draft(
        reminder=reminder, actor=actor_of(request), **payload.model_dump(exclude_unset=True)
    )
    return _fresh(reminder)


@router.delete(
    "/reminders/{id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deleteReminder",
    summary="Supprimer un brouillon",
    description="Un brouillon disparaît sans trace dans l’historique. 409 pour une relance enregistrée ou envoyée.",
)
def delete_reminder(request: HttpRequest, id: Id) -> Any:
    services.delete_draft(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return Status(204, None)


@router.post(
    "/reminders/{id}/save",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="saveReminder",
    summary="Enregistrer (figer) une relance",
    description="Pour l’imprimer ou l’envoyer par courrier : le texte, les montants et le PDF sont figés.",
)
def save_reminder(request: HttpRequest, id: Id, payload: FreezeIn | None = None) -> Any:
    reminder = services.save_reminder(
        reminder=get_reminder_for(actor_of(request), id),
        actor=actor_of(request),
        confirm_dispute_or_pause=bool(payload and payload.confirm_dispute_or_pause),
    )
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/send",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="sendReminder",
    summary="Envoyer une relance par e-mail",
    description=(
        "Fige la relance et l’envoie en tâche de fond (statut sending, puis sent ou send_failed). "
        "422 quand le client n’a pas d’adresse e-mail."
    ),
)
def send_reminder(request: HttpRequest, id: Id, payload: FreezeIn | None = None) -> Any:
    reminder = services.send_reminder(
        reminder=get_reminder_for(actor_of(request), id),
        actor=actor_of(request),
        confirm_dispute_or_pause=bool(payload and payload.confirm_dispute_or_pause),
    )
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/retry",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="retryReminder",
    summary="Réessayer l’envoi",
    description="Seulement après un échec d’envoi (send_failed) ; une relance envoyée ne part jamais deux fois.",
)
def retry_reminder(request: HttpRequest, id: Id) -> Any:
    reminder = services.retry_send(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/resend",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="resendUncertainReminder",
    summary="Renvoyer un envoi incertain",
    description=(
        "Seulement en send_uncertain : renvoie le même e-mail, avec le même Message-ID. Si le premier envoi "
        "était arrivé, le client en reçoit un second exemplaire."
    ),
)
def resend_reminder(request: HttpRequest, id: Id) -> Any:
    reminder = services.resend_uncertain(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/mark-sent",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="markReminderSent",
    summary="Marquer un envoi incertain comme envoyé",
    description="Seulement en send_uncertain, quand le client a bien reçu l’e-mail : rien n’est renvoyé.",
)
def mark_reminder_sent(request: HttpRequest, id: Id) -> Any:
    reminder = services.mark_sent(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/deactivate",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="deactivateReminder",
    summary="Désactiver une relance",
    description="Masquée de l’historique mais conservée ; elle compte toujours pour le niveau suivant.",
)
def deactivate_reminder(request: HttpRequest, id: Id) -> Any:
    reminder = services.deactivate_reminder(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/reactivate",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="reactivateReminder",
    summary="Réactiver une relance",
)
def reactivate_reminder(request: HttpRequest, id: Id) -> Any:
    reminder = services.reactivate_reminder(reminder=get_reminder_for(actor_of(request), id), actor=actor_of(request))
    return _fresh(reminder)


@router.post(
    "/reminders/{id}/registered-letter",
    response={200: ReminderOut, **WRITE_ERRORS},
    operation_id="recordRegisteredLetter",
    summary="Noter le recommandé d’une mise en demeure",
    description="Numéro du recommandé (LRAR) et date de réception de l’accusé ; niveau 3 seulement.",
)
def record_registered_letter(request: HttpRequest, id: Id, payload: RegisteredLetterIn) -> Any:
    reminder = services.record_registered_letter(
        reminder=get_reminder_for(actor_of(request), id),
        actor=actor_of(request),
        number=payload.number,
        receipt_date=payload.receipt_date,
    )
    return _fresh(reminder)


@router.get(
    "/reminders/{id}/pdf",
    response={200: None, **READ_ERRORS},
    operation_id="getReminderPdf",
    summary="Télécharger le courrier (PDF)",
    description="Le fichier PDF/A figé (celui dont pdf_sha256 est l’empreinte) ; pour un brouillon, rendu du jour.",
    openapi_extra={
        "responses": {
            200: {
                "description": "Le courrier en PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_reminder_pdf(request: HttpRequest, id: Id) -> HttpResponse:
    content, name = facts.letter_pdf(get_reminder_for(actor_of(request), id))
    response = HttpResponse(content, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
