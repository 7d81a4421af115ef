"""Automatic reminders: the settings and plans, the approval queue. The only writer of the
automation models; the scheduler's pass lives in `automation.scheduler`.

A reminder made automatically is made like a manual one, through `dunning.services`: a draft
(`create_reminder`), then `send_reminder` (e-mail) or `save_reminder` (letter). Those re-read the
invoices under their locks and refuse a paid, cancelled, disputed or paused one at that moment.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business, User
from automation.models import (
    MAX_OFFSET,
    AutomationSettings,
    AutoReminder,
    AutoReminderInvoice,
    ClientAutomation,
    InvoiceExclusion,
    Plan,
    PlanStep,
    StepLevel,
)
from core.audit import record
from core.errors import Conflict, NotFound
from dunning import services as dunning
from dunning.choices import Channel, Level
from dunning.models import Reminder
from ledger.models import Client, Invoice

DEFAULT_STEPS: list[dict[str, Any]] = [
    {"offset_days": -3, "level": StepLevel.COURTESY, "channel": Channel.EMAIL, "needs_approval": False},
    {"offset_days": 7, "level": StepLevel.FRIENDLY, "channel": Channel.EMAIL, "needs_approval": False},
    {"offset_days": 21, "level": StepLevel.SECOND, "channel": Channel.EMAIL, "needs_approval": False},
    {"offset_days": 45, "level": StepLevel.FORMAL_NOTICE, "channel": Channel.LETTER, "needs_approval": True},
]
MAX_STEPS = 10
PLAN_NAME_LENGTH = 100

EMAIL_SIGNATURE = "Bien cordialement,\n{signataire}\n{entreprise_nom}"
# The courtesy reminder, before the due date: no lateness, no penalties, nothing "échu".
COURTESY_TEXTS = {
    "subject": "Échéance prochaine : facture n° {facture_numero}",
    "body": (
        "Bonjour,\n\n"
        "Pour mémoire, le règlement de {montant_du} au titre de la facture n° {facture_numero} "
        "arrive à échéance le {echeance}.\n\n"
        "{factures}\n\n"
        "{modalites_paiement}\n\n"
        "Si vous avez déjà procédé au règlement, merci de ne pas tenir compte de ce message.\n\n"
        f"{EMAIL_SIGNATURE}"
    ),
    "letter_subject": "Échéance prochaine : facture n° {facture_numero}",
    "letter_body": (
        "Madame, Monsieur,\n\n"
        "Pour mémoire, le règlement de {montant_du} au titre de la facture n° {facture_numero} "
        "arrive à échéance le {echeance}.\n\n"
        "{factures}\n\n"
        "{modalites_paiement}\n\n"
        "Si vous avez déjà procédé au règlement, merci de ne pas tenir compte de ce courrier.\n\n"
        "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées."
    ),
}

# What dunning refuses when an invoice must not be reminded (paid, cancelled, disputed, paused,
# handed to collection): the reminder is then not made, and the next pass looks again.
NOT_TO_REMIND = {"invoice_ids", "confirm_dispute_or_pause"}


# Settings and plans


def settings_of(business: Business) -> AutomationSettings:
    found, _created = AutomationSettings.objects.get_or_create(business=business)
    return found


def default_plan(business: Business) -> Plan:
    """The business's default plan, made with the default steps the first time it is asked for."""
    plan = Plan.objects.filter(business=business, is_default=True).first()
    if plan is not None:
        return plan
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(
            business=business, is_default=True, defaults={"name": _("Plan par défaut")}
        )
        if created:
            PlanStep.objects.bulk_create(PlanStep(plan=plan, **step) for step in DEFAULT_STEPS)
    return plan


def plan_steps(plan: Plan) -> list[PlanStep]:
    return list(plan.steps.filter(active=True).order_by("offset_days"))


def _parse_steps(steps: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps as given, checked; errors at the field `steps` naming the step."""
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": _("Un plan compte au plus %(count)s étapes.") % {"count": MAX_STEPS}})
    parsed: list[dict[str, Any]] = []
    for number, step in enumerate(steps, start=1):
        try:
            offset = int(step.get("offset_days"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError({"steps": _("Étape %(n)s : indiquez un nombre de jours.") % {"n": number}}) from None
        if not -MAX_OFFSET <= offset <= MAX_OFFSET:
            raise ValidationError(
                {
                    "steps": _("Étape %(n)s : le nombre de jours est compris entre -%(max)s et %(max)s.")
                    % {"n": number, "max": MAX_OFFSET}
                }
            )
        try:
            level = int(step.get("level"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            level = -1
        if level not in StepLevel.values:
            raise ValidationError(
                {"steps": _("Étape %(n)s : niveau invalide (0 rappel de courtoisie, 1, 2 ou 3).") % {"n": number}}
            )
        channel = step.get("channel") or Channel.EMAIL
        if channel not in Channel.values:
            raise ValidationError({"steps": _("Étape %(n)s : canal invalide (e-mail ou courrier).") % {"n": number}})
        if level == StepLevel.COURTESY and offset >= 0:
            raise ValidationError(
                {
                    "steps": _("Étape %(n)s : un rappel de courtoisie part avant l’échéance (jours négatifs).")
                    % {"n": number}
                }
            )
        if level == StepLevel.COURTESY and channel != Channel.EMAIL:
            raise ValidationError(
                {"steps": _("Étape %(n)s : un rappel de courtoisie part par e-mail.") % {"n": number}}
            )
        if level != StepLevel.COURTESY and offset <= 0:
            raise ValidationError(
                {"steps": _("Étape %(n)s : une relance part après l’échéance (jours positifs).") % {"n": number}}
            )
        parsed.append(
            {
                "offset_days": offset,
                "level": level,
                "channel": channel,
                "needs_approval": bool(step.get("needs_approval")),
            }
        )
    offsets = [step["offset_days"] for step in parsed]
    if len(set(offsets)) != len(offsets):
        raise ValidationError({"steps": _("Deux étapes tombent le même jour : gardez-en une.")})
    ordered = sorted(parsed, key=lambda step: step["offset_days"])
    levels = [step["level"] for step in ordered]
    if levels != sorted(levels):
        raise ValidationError(
            {"steps": _("Les niveaux ne redescendent pas : une étape plus tardive a un niveau au moins égal.")}
        )
    return ordered


def _replace_steps(plan: Plan, steps: list[dict[str, Any]]) -> bool:
    """Steps are kept by their day: a step that goes is only retired, so that what it already
    sent keeps counting (the (invoice, step) uniqueness) if it comes back."""
    existing = {step.offset_days: step for step in plan.steps.select_for_update()}
    changed = False
    wanted = {step["offset_days"] for step in steps}
    for offset, row in existing.items():
        if offset not in wanted and row.active:
            row.active = False
            row.save(update_fields=["active"])
            changed = True
    for step in steps:
        found = existing.get(step["offset_days"])
        if found is None:
            PlanStep.objects.create(plan=plan, active=True, **step)
            changed = True
            continue
        row = found
        values = {**step, "active": True}
        if any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            row.save()
            changed = True
    return changed


def _parse_time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(value)).replace(second=0, microsecond=0)
    except ValueError:
        raise ValidationError({field: _("Heure invalide : écrivez-la HH:MM, par exemple 09:00.")}) from None


def update_automation(
    *,
    business: Business,
    actor: User | None,
    enabled: bool | None = None,
    window_start: Any = None,
    window_end: Any = None,
    steps: Sequence[dict[str, Any]] | None = None,
) -> AutomationSettings:
    """Turn automation on or off, set the sending window and the default plan's steps.
    `None` leaves a value as it is."""
    start = _parse_time(window_start, "window_start") if window_start not in (None, "") else None
    end = _parse_time(window_end, "window_end") if window_end not in (None, "") else None
    parsed = _parse_steps(steps) if steps is not None else None
    if parsed is not None and not parsed:
        raise ValidationError({"steps": _("Un plan compte au moins une étape.")})
    plan = default_plan(business)
    settings_of(business)
    with transaction.atomic():
        current = AutomationSettings.objects.select_for_update().get(business=business)
        changes: dict[str, Any] = {}
        new_start = start or current.window_start
        new_end = end or current.window_end
        if new_start >= new_end:
            raise ValidationError({"window_end": _("L’heure de fin doit suivre l’heure de début.")})
        for field, value in [("enabled", enabled), ("window_start", start), ("window_end", end)]:
            if value is not None and getattr(current, field) != value:
                changes[field] = [str(getattr(current, field)), str(value)]
                setattr(current, field, value)
        current.save()
        if parsed is not None:
            locked = Plan.objects.select_for_update().get(pk=plan.pk)
            if _replace_steps(locked, parsed):
                changes["steps"] = [
                    f"J{step['offset_days']:+d} niveau {step['level']} {step['channel']}"
                    + (" (à valider)" if step["needs_approval"] else "")
                    for step in parsed
                ]
        if changes:
            record(business=business, actor=actor, action="automation_updated", obj=current, changes=changes)
    return current


def create_plan(*, business: Business, actor: User | None, name: str, steps: Sequence[dict[str, Any]]) -> Plan:
    """Another plan, to assign to some clients."""
    name = _plan_name(name)
    parsed = _parse_steps(steps)
    if not parsed:
        raise ValidationError({"steps": _("Un plan compte au moins une étape.")})
    with transaction.atomic():
        # The business row serialises two creations of the same name (the unique constraint
        # would otherwise answer with an IntegrityError).
        Business.objects.select_for_update().filter(pk=business.pk).first()
        if Plan.objects.filter(business=business, name=name).exists():
            raise ValidationError({"name": _("Un plan porte déjà ce nom.")})
        plan = Plan.objects.create(business=business, name=name)
        PlanStep.objects.bulk_create(PlanStep(plan=plan, active=True, **step) for step in parsed)
        record(business=business, actor=actor, action="plan_created", obj=plan, changes={"steps": len(parsed)})
    return plan


def _plan_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au plan.")})
    if len(name) > PLAN_NAME_LENGTH:
        raise ValidationError({"name": _("Le nom compte au plus 100 caractères.")})
    return name


def _locked_plan(plan: Plan) -> Plan:
    try:
        return Plan.objects.select_for_update().get(pk=plan.pk, business_id=plan.business_id)
    except Plan.DoesNotExist:
        raise NotFound(_("Plan introuvable.")) from None


def update_plan(
    *, plan: Plan, actor: User | None, name: str | None = None, steps: Sequence[dict[str, Any]] | None = None
) -> Plan:
    """Rename another plan or replace its steps (retired, never deleted). `None` leaves it."""
    new_name = _plan_name(name) if name is not None else None
    parsed = _parse_steps(steps) if steps is not None else None
    if parsed is not None and not parsed:
        raise ValidationError({"steps": _("Un plan compte au moins une étape.")})
    with transaction.atomic():
        locked = _locked_plan(plan)
        if locked.is_default:
            raise Conflict(_("Le plan par défaut se règle avec les relances automatiques."))
        changes: dict[str, Any] = {}
        if new_name is not None and new_name != locked.name:
            if Plan.objects.filter(business_id=locked.business_id, name=new_name).exclude(pk=locked.pk).exists():
                raise ValidationError({"name": _("Un plan porte déjà ce nom.")})
            changes["name"] = [locked.name, new_name]
            locked.name = new_name
            locked.save(update_fields=["name"])
        if parsed is not None and _replace_steps(locked, parsed):
            changes["steps"] = len(parsed)
        if changes:
            record(business=locked.business, actor=actor, action="plan_updated", obj=locked, changes=changes)
    return locked


def delete_plan(*, plan: Plan, actor: User | None) -> None:
    """Delete another plan that no client uses and that never sent anything.

    Clients on it are not silently moved to the default plan (which may remind sooner or
    harder): the owner chooses their plan first. A plan that sent reminders keeps its steps,
    which count for the one-reminder-per-step rule."""
    with transaction.atomic():
        locked = _locked_plan(plan)
        if locked.is_default:
            raise Conflict(_("Le plan par défaut ne se supprime pas."))
        users = ClientAutomation.objects.filter(plan=locked).count()
        if users:
            raise Conflict(
                _(
                    "Ce plan est suivi par des clients (%(count)s) : choisissez-leur un autre plan sur leur "
                    "fiche avant de le supprimer."
                )
                % {"count": users}
            )
        if AutoReminderInvoice.objects.filter(step__plan=locked).exists():
            raise Conflict(_("Ce plan a déjà envoyé des relances : il reste pour en garder la trace."))
        record(business=locked.business, actor=actor, action="plan_deleted", obj=locked, changes={"name": locked.name})
        locked.delete()


def set_client_automation(
    *, client: Client, actor: User | None, plan: Plan | None = None, excluded: bool = False
) -> ClientAutomation:
    """The client's plan (None: the default plan), or the client left out."""
    if plan is not None and plan.business_id != client.business_id:
        raise NotFound(_("Plan introuvable."))
    with transaction.atomic():
        # The plan is locked so that it cannot be deleted while a client is moved onto it.
        if plan is not None:
            plan = _locked_plan(plan)
        Client.objects.select_for_update().filter(pk=client.pk).first()
        row, _created = ClientAutomation.objects.select_for_update().get_or_create(client=client)
        if plan is not None and plan.is_default:
            plan = None
        row.plan = plan
        row.excluded = excluded
        row.save()
        record(
            business=client.business,
            actor=actor,
            action="automation_client",
            obj=client,
            client=client,
            changes={"plan": plan.name if plan else "", "excluded": excluded},
        )
    return row


def set_invoice_excluded(*, invoice: Invoice, actor: User | None, excluded: bool) -> None:
    with transaction.atomic():
        Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
        if excluded:
            InvoiceExclusion.objects.get_or_create(invoice=invoice)
        else:
            InvoiceExclusion.objects.filter(invoice=invoice).delete()
        record(
            business=invoice.business,
            actor=actor,
            action="automation_invoice",
            obj=invoice,
            invoice=invoice,
            client=invoice.client,
            changes={"excluded": excluded},
        )


# Making the reminder, through dunning's services


def make_draft(*, business: Business, client: Client, level: int, channel: str, invoice_ids: list[int]) -> Reminder:
    """The dunning draft of an automatic reminder; a courtesy reminder gets its own texts."""
    reminder = dunning.create_reminder(
        business=business, actor=None, invoice_ids=invoice_ids, level=max(level, Level.FRIENDLY), channel=channel
    )
    if level == StepLevel.COURTESY:
        reminder = dunning.update_draft(
            reminder=reminder,
            actor=None,
            include_penalties=False,
            subject=COURTESY_TEXTS["subject"],
            body=COURTESY_TEXTS["body"],
            letter_subject=COURTESY_TEXTS["letter_subject"],
            letter_body=COURTESY_TEXTS["letter_body"],
        )
    return reminder


def deliver(reminder: Reminder, channel: str) -> str:
    """Send the e-mail, or freeze the letter for printing; the AutoReminder status it ends in."""
    if channel == Channel.EMAIL:
        dunning.send_reminder(reminder=reminder, actor=None)
        return AutoReminder.Status.SENT
    dunning.save_reminder(reminder=reminder, actor=None)
    return AutoReminder.Status.SAVED


def error_text(error: ValidationError | Conflict | NotFound) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def is_not_to_remind(error: ValidationError | Conflict) -> bool:
    return isinstance(error, dunning.InCollection) or (
        isinstance(error, ValidationError)
        and hasattr(error, "error_dict")
        and bool(NOT_TO_REMIND & set(error.error_dict))
    )


# The approval queue


def _locked_awaiting(auto_reminder: AutoReminder) -> AutoReminder:
    try:
        locked = (
            AutoReminder.objects.select_for_update(of=("self",))
            .select_related("business", "client", "reminder")
            .get(pk=auto_reminder.pk)
        )
    except AutoReminder.DoesNotExist:
        raise NotFound("Relance introuvable.") from None
    if locked.status != AutoReminder.Status.AWAITING_APPROVAL:
        raise Conflict(_("Cette relance n’attend plus de validation : elle a déjà été traitée."))
    return locked


def approve(*, auto_reminder: AutoReminder, actor: User | None) -> AutoReminder:
    """Send (or freeze, for a letter) a reminder that was waiting for approval.

    The checks of a manual send apply at this moment: a reminder whose invoices were paid or put
    on hold meanwhile is refused with dunning's message, and can be dismissed."""
    with transaction.atomic():
        locked = _locked_awaiting(auto_reminder)
        if locked.reminder is None or not locked.reminder.is_draft:
            raise Conflict(_("Le brouillon de cette relance a été supprimé ou traité : écartez-la."))
        locked.status = deliver(locked.reminder, locked.channel)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        record(
            business=locked.business,
            actor=actor,
            action="automation_approved",
            obj=locked,
            client=locked.client,
            changes={"reminder": locked.reminder.pk},
        )
    return locked


def dismiss(*, auto_reminder: AutoReminder, actor: User | None) -> AutoReminder:
    """Drop a reminder waiting for approval: its draft goes, its step stays done."""
    with transaction.atomic():
        locked = _locked_awaiting(auto_reminder)
        if locked.reminder is not None and locked.reminder.is_draft:
            dunning.delete_draft(reminder=locked.reminder, actor=actor)
            locked.reminder = None
        locked.status = AutoReminder.Status.DISMISSED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at", "reminder"])
        record(business=locked.business, actor=actor, action="automation_dismissed", obj=locked, client=locked.client)
    return locked


def withdraw_settled(*, business: Business) -> int:
    """Take out of the queue the reminders whose invoices are all paid or cancelled since:
    nothing is left to claim. Returns how many went."""
    still_open = Invoice.objects.open().filter(auto_reminder_lines__auto_reminder=OuterRef("pk"))
    settled = AutoReminder.objects.filter(business=business, status=AutoReminder.Status.AWAITING_APPROVAL).exclude(
        Exists(still_open)
    )
    withdrawn = 0
    for auto_reminder in settled:
        with transaction.atomic():
            try:
                locked = _locked_awaiting(auto_reminder)
            except Conflict:
                continue
            if locked.reminder is not None and locked.reminder.is_draft:
                dunning.delete_draft(reminder=locked.reminder, actor=None)
                locked.reminder = None
            locked.status = AutoReminder.Status.WITHDRAWN
            locked.decided_at = timezone.now()
            locked.save(update_fields=["status", "decided_at", "reminder"])
            record(business=business, actor=None, action="automation_withdrawn", obj=locked, client=locked.client)
        withdrawn += 1
    return withdrawn


def decide_many(
    *, auto_reminders: Iterable[AutoReminder], actor: User | None, approve_them: bool
) -> tuple[int, list[str]]:
    """Approve or dismiss each, in its own transaction: one refusal leaves the others done.
    Returns how many were done and the French reasons of those refused."""
    done, refused = 0, []
    for auto_reminder in auto_reminders:
        try:
            if approve_them:
                approve(auto_reminder=auto_reminder, actor=actor)
            else:
                dismiss(auto_reminder=auto_reminder, actor=actor)
        except (ValidationError, Conflict, NotFound) as error:
            refused.append(f"{auto_reminder.client.name} : {error_text(error)}")
        else:
            done += 1
    return done, refused
