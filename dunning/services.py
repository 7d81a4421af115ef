"""The reminder workflow: draft, edit, save or send, deactivate. Shared by pages, API and CLI.

Every function takes keyword arguments, changes the database in one transaction, records the
audit trail, and raises `ValidationError` (field → French message), `NotFound` or `Conflict`.

Texts: a draft stores its subject and body as written, placeholders included, and they are
rendered on every preview, so a draft's figures are always those of today. Freezing (save or
send) renders them once: `subject`/`body` then hold the rendered text, and `snapshot` keeps every
figure shown (amounts, penalties, rates, texts, identities) plus the e-mail exactly as sent.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Business, User
from core.audit import record
from core.dates import check_dates
from core.errors import Conflict, NotFound
from core.ids import parse_ids
from core.text import check_one_line
from dunning import facts as facts_module
from dunning import queries
from dunning.channels import CHANNELS, channel_for, default_channel
from dunning.choices import Channel, Level
from dunning.defaults import default_templates
from dunning.models import Reminder, ReminderInvoice, ReminderTemplate
from dunning.placeholders import template_errors
from dunning.sentences import french_list
from dunning.tasks import retry_delay, send_reminder_email
from ledger import services as ledger_services
from ledger.models import Invoice

FROZEN_MESSAGE = gettext_lazy(
    "Cette relance est enregistrée ou envoyée : elle ne peut plus être modifiée ni supprimée, seulement désactivée."
)
NO_EMAIL_MESSAGE = gettext_lazy("Ce client n’a pas d’adresse e-mail : enregistrez la relance pour l’imprimer.")
LETTER_CHANNEL_MESSAGE = gettext_lazy(
    "Cette relance est prévue par courrier : passez-la en e-mail et relisez-la avant de l’envoyer."
)


IN_COLLECTION_MESSAGE = gettext_lazy(
    "La facture n° %(number)s est en recouvrement : aucune relance ne peut être créée ni envoyée pour elle "
    "tant que son dossier de recouvrement est ouvert."
)


def refuse_in_collection(invoices: Iterable[Invoice]) -> None:
    """An invoice an open collection case holds has left the reminder flow: the agency or the
    court speaks to the client now, and a reminder beside them would contradict them."""
    for invoice in invoices:
        if invoice.in_collection_since is not None:
            raise Conflict(IN_COLLECTION_MESSAGE % {"number": invoice.number})


# Templates


def ensure_default_templates(business: Business) -> list[ReminderTemplate]:
    """The business's three templates, creating the missing ones from the default texts."""
    existing = {t.level: t for t in ReminderTemplate.objects.filter(business=business)}
    if len(existing) < len(Level.values):
        missing = [
            ReminderTemplate(business=business, **data) for data in default_templates() if data["level"] not in existing
        ]
        ReminderTemplate.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.level: t for t in ReminderTemplate.objects.filter(business=business)}
    return [existing[level] for level in sorted(existing)]


def template_for(business: Business, level: int) -> ReminderTemplate:
    templates = {t.level: t for t in ensure_default_templates(business)}
    return templates[level]


def check_placeholders(fields: dict[str, str]) -> None:
    """Refuse, at the field concerned, any placeholder outside the fixed list, naming it."""
    errors = {field: template_errors(text or "") for field, text in fields.items()}
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


TEMPLATE_FIELDS = ["letter_subject", "letter_body", "email_subject", "email_body", "include_penalties"]


def update_template(*, template: ReminderTemplate, actor: User | None, **data: Any) -> ReminderTemplate:
    data = {key: value for key, value in data.items() if key in TEMPLATE_FIELDS}
    errors = {
        field: _("Ce champ est obligatoire.")
        for field in ["letter_subject", "letter_body", "email_subject", "email_body"]
        if field in data and not str(data[field] or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    check_placeholders({k: v for k, v in data.items() if k != "include_penalties"})
    # Compared with the stored row: a bound ModelForm has already copied the new values on `template`.
    stored = ReminderTemplate.objects.get(pk=template.pk)
    changes = {field: value for field, value in data.items() if getattr(stored, field) != value}
    for field, value in data.items():
        setattr(template, field, value)
    template.full_clean(exclude=["business"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        template.save()
        if changes:
            record(
                business=template.business,
                actor=actor,
                action="updated",
                obj=template,
                changes={
                    field: "modifié" if field != "include_penalties" else value for field, value in changes.items()
                },
            )
    return template


# Drafts


class FormalNoticeAlreadySent(Conflict):
    """No next level: the invoices had their formal notice. The user picks a level, or hands
    them to a collection agency."""


def _highest_level(invoices: Iterable[Invoice]) -> int:
    """The highest level saved or sent for any of these invoices; deactivated reminders count
    (they were sent), drafts do not."""
    return int(
        Reminder.objects.frozen().filter(lines__invoice__in=list(invoices)).aggregate(level=Max("level"))["level"] or 0
    )


def next_level(invoices: Iterable[Invoice]) -> int:
    """1 + the highest level saved or sent for any of these invoices
    (deactivated ones count; drafts do not).

    Raises `FormalNoticeAlreadySent` when a formal notice was already sent: what follows is a
    collection case, or a level the user chooses, never a fourth letter picked for them.
    """
    highest = _highest_level(invoices)
    if highest >= Level.FORMAL_NOTICE:
        raise FormalNoticeAlreadySent(
            _(
                "Ces factures ont déjà fait l’objet d’une mise en demeure : passez à la mise en recouvrement, "
                "ou choisissez explicitement le niveau de la relance."
            )
        )
    return highest + 1


def suggested_level(invoices: Iterable[Invoice]) -> int:
    """The level the editor suggests: the next one, or another formal notice after one."""
    return min(_highest_level(invoices) + 1, int(Level.FORMAL_NOTICE))


def _open_invoices_of_one_client(business: Business, invoice_ids: Sequence[Any]) -> list[Invoice]:
    try:
        ids = sorted(set(parse_ids(invoice_ids)))
    except (TypeError, ValueError):
        raise ValidationError({"invoice_ids": _("Sélection de factures invalide.")}) from None
    if not ids:
        raise ValidationError({"invoice_ids": _("Sélectionnez au moins une facture à relancer.")})
    invoices = list(
        Invoice.objects.filter(business=business, pk__in=ids).select_related("client").order_by("due_date", "number")
    )
    if len(invoices) != len(ids):
        raise NotFound("Facture introuvable.")
    if len({invoice.client_id for invoice in invoices}) > 1:
        raise ValidationError(
            {"invoice_ids": _("Une relance concerne un seul client : sélectionnez des factures du même client.")}
        )
    for invoice in invoices:
        if invoice.cancelled_at is not None:
            raise ValidationError(
                {
                    "invoice_ids": _("La facture n° %(number)s est annulée : elle ne se relance pas.")
                    % {"number": invoice.number}
                }
            )
        if invoice.amount_due <= 0:
            raise ValidationError(
                {"invoice_ids": _("La facture n° %(number)s est payée : rien à relancer.") % {"number": invoice.number}}
            )
    refuse_in_collection(invoices)
    return invoices


def parse_level(level: Any) -> int | None:
    if level in (None, ""):
        return None
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        raise ValidationError({"level": _("Niveau invalide : choisissez 1, 2 ou 3.")})
    return value


def _parse_channel(channel: Any) -> str | None:
    if channel in (None, ""):
        return None
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Canal invalide : choisissez e-mail ou courrier.")})
    return str(channel)


def create_reminder(
    *,
    business: Business,
    actor: User | None,
    invoice_ids: Sequence[Any],
    level: Any = None,
    channel: Any = None,
) -> Reminder:
    """A draft for invoices of one client, at the next level, prefilled from that level's template."""
    invoices = _open_invoices_of_one_client(business, invoice_ids)
    client = invoices[0].client
    chosen_level = parse_level(level) or next_level(invoices)
    chosen_channel = _parse_channel(channel) or default_channel(client)
    template = template_for(business, chosen_level)
    with transaction.atomic():
        reminder = Reminder.objects.create(
            business=business,
            client=client,
            level=chosen_level,
            channel=chosen_channel,
            created_by=actor if actor is not None and actor.pk else None,
            include_penalties=template.include_penalties,
            **CHANNELS[chosen_channel].template_texts(template),
        )
        ReminderInvoice.objects.bulk_create([ReminderInvoice(reminder=reminder, invoice=i) for i in invoices])
        record(
            business=business,
            actor=actor,
            action="created",
            obj=reminder,
            client=client,
            invoice=invoices[0] if len(invoices) == 1 else None,
            changes={"level": chosen_level, "channel": chosen_channel, "invoices": [i.number for i in invoices]},
        )
    return reminder


def _locked(reminder: Reminder) -> Reminder:
    """Re-read the reminder under a row lock: two requests cannot both freeze or edit it."""
    try:
        # The reminder's row only, and other rows may still refer to it: see ledger.services.
        return (
            Reminder.objects.select_for_update(of=("self",), no_key=True)
            .select_related("client", "business")
            .get(pk=reminder.pk)
        )
    except Reminder.DoesNotExist:
        raise NotFound("Relance introuvable.") from None


def _require_draft(reminder: Reminder) -> None:
    if not reminder.is_draft:
        raise Conflict(FROZEN_MESSAGE)


def _switch_level(reminder: Reminder, level: int) -> None:
    """The texts and the penalty choice of the new level's template, for the channel in force:
    the user confirmed that their edits go."""
    if level == reminder.level:
        return
    template = template_for(reminder.business, level)
    for field, text in channel_for(reminder).template_texts(template).items():
        setattr(reminder, field, text)
    reminder.include_penalties = template.include_penalties
    reminder.level = level


def _switch_channel(reminder: Reminder, channel: str) -> None:
    """Keep what the user wrote for the letter; the e-mail texts come from the template."""
    if channel == reminder.channel:
        return
    CHANNELS[channel].take_over(reminder, lambda: template_for(reminder.business, reminder.level))
    reminder.channel = channel


def update_draft(
    *,
    reminder: Reminder,
    actor: User | None,
    subject: str | None = None,
    body: str | None = None,
    channel: Any = None,
    invoice_ids: Sequence[Any] | None = None,
    letter_subject: str | None = None,
    letter_body: str | None = None,
    include_penalties: bool | None = None,
    attach_invoice_pdfs: bool | None = None,
    level: Any = None,
    texts_for_current_channel: bool = False,
) -> Reminder:
    """Edit a draft. `None` leaves a field as it is.

    A level change comes first: it reloads that level's template texts (and its penalty
    choice) for the channel in force. A channel change follows and the texts given apply to
    the new channel (the API's reading), unless `texts_for_current_channel`: the editor posts
    the texts it showed, those of the channel in force, and then switches.
    """
    check_one_line(subject=subject, letter_subject=letter_subject)
    new_level = parse_level(level)
    new_channel = _parse_channel(channel)
    given = {"subject": subject, "body": body, "letter_subject": letter_subject, "letter_body": letter_body}
    texts = {field: value for field, value in given.items() if value is not None}
    check_placeholders(texts)
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_draft(reminder)
        before = {f: getattr(reminder, f) for f in ["channel", "subject", "body", "letter_subject", "letter_body"]}
        level_before = reminder.level
        if new_level:
            _switch_level(reminder, new_level)
        if new_channel and not texts_for_current_channel:
            _switch_channel(reminder, new_channel)
        for field, value in texts.items():
            setattr(reminder, field, value)
        if new_channel and texts_for_current_channel:
            _switch_channel(reminder, new_channel)
        errors = {}
        if not reminder.subject.strip():
            errors["subject"] = _("Indiquez l’objet de la relance.")
        if not reminder.body.strip():
            errors["body"] = _("Le texte de la relance est vide.")
        if channel_for(reminder).attaches_letter and not reminder.letter_body.strip():
            errors["letter_body"] = _("Le texte du courrier joint est vide.")
        if errors:
            raise ValidationError(errors)
        if include_penalties is not None:
            reminder.include_penalties = include_penalties
        if attach_invoice_pdfs is not None:
            reminder.attach_invoice_pdfs = attach_invoice_pdfs
        changes: dict[str, Any] = {
            f: "modifié" for f, old in before.items() if getattr(reminder, f) != old and f != "channel"
        }
        if before["channel"] != reminder.channel:
            changes["channel"] = [before["channel"], reminder.channel]
        if level_before != reminder.level:
            changes["level"] = [level_before, reminder.level]
        if invoice_ids is not None:
            invoices = _open_invoices_of_one_client(reminder.business, invoice_ids)
            if invoices[0].client_id != reminder.client_id:
                raise ValidationError(
                    {"invoice_ids": _("Une relance concerne un seul client : gardez des factures de ce client.")}
                )
            current = set(reminder.lines.values_list("invoice_id", flat=True))
            wanted = {invoice.pk for invoice in invoices}
            if current != wanted:
                reminder.lines.exclude(invoice_id__in=wanted).delete()
                ReminderInvoice.objects.bulk_create(
                    [ReminderInvoice(reminder=reminder, invoice_id=pk) for pk in sorted(wanted - current)]
                )
                changes["invoices"] = [i.number for i in invoices]
        reminder.save()
        if changes:
            record(
                business=reminder.business,
                actor=actor,
                action="updated",
                obj=reminder,
                client=reminder.client,
                changes=changes,
            )
    return reminder


def delete_draft(*, reminder: Reminder, actor: User | None) -> None:
    """A draft goes for real: it never appears in the history (the audit log keeps the fact)."""
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_draft(reminder)
        record(business=reminder.business, actor=actor, action="deleted", obj=reminder, client=reminder.client)
        reminder.delete()


# Freezing


def _store_pdf(reminder: Reminder, pdf: bytes) -> tuple[str, str]:
    """Write the letter before the row points at it, under a name derived from its hash.

    Written inside the freezing transaction rather than after it: if the commit fails, an unused
    file remains (harmless, and the same bytes would reuse it); the other order could leave a
    frozen reminder whose proof is missing. The name never collides, so writing twice is safe.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"reminders/{reminder.business_id}/{reminder.reference}-{digest[:16]}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(pdf))
    return name, digest


def _lock_for_freezing(reminder: Reminder, now: dt.datetime) -> list[Invoice]:
    """Take the locks freezing needs before anything is read for its checks or its letter.

    The quoted invoices are locked (and marked) first: a payment, a cancellation or an edit of one
    of them either committed before (the checks and the letter see it) or waits, and an edit is
    then refused. Caller holds the reminder's row lock; returns the invoices as re-read.
    """
    # Serialises reference numbering per business (a no-op on SQLite, whose writers already queue).
    # NO KEY: a payment or an edit of one of these invoices, already holding the invoice's lock,
    # still records its audit event (which refers to the business) instead of waiting on this lock
    # while this transaction waits on the invoice.
    Business.objects.select_for_update(no_key=True).filter(pk=reminder.business_id).first()
    return ledger_services.mark_quoted(invoice_ids=[line.invoice_id for line in reminder.lines.all()], at=now)


def _freeze(reminder: Reminder, status: str, now: dt.datetime) -> None:
    """Render texts and letter once, store the PDF and the snapshot. Caller holds the locks of
    `_lock_for_freezing`."""
    reminder.reference = queries.next_reference(reminder.business, timezone.localdate(now).year)
    rendered = facts_module.render_reminder(reminder, on=timezone.localdate(now), frozen_at=now)
    name, digest = _store_pdf(reminder, facts_module.render_pdf(rendered))
    reminder.status = status
    reminder.frozen_at = now
    reminder.subject = rendered.subject
    reminder.body = rendered.body_text
    if channel_for(reminder).attaches_letter:
        reminder.letter_subject = rendered.letter_subject
        reminder.letter_body = rendered.letter_text
    reminder.snapshot = rendered.snapshot()
    reminder.pdf.name = name
    reminder.pdf_sha256 = digest


def _check_freezable(reminder: Reminder, invoices: list[Invoice]) -> None:
    """Checked on the invoices as re-read under their locks (`_lock_for_freezing`)."""
    if not invoices:
        raise ValidationError({"invoice_ids": _("Cette relance ne cite aucune facture.")})
    refuse_in_collection(invoices)
    paid = [invoice.number for invoice in invoices if invoice.amount_due <= 0 or invoice.cancelled_at is not None]
    if paid:
        raise ValidationError(
            {
                "invoice_ids": _("Facture(s) payée(s) ou annulée(s) depuis : %(numbers)s. Retirez-les de la relance.")
                % {"numbers": ", ".join(paid)}
            }
        )
    check_placeholders(
        {
            "subject": reminder.subject,
            "body": reminder.body,
            "letter_subject": reminder.letter_subject,
            "letter_body": reminder.letter_body,
        }
    )


def _check_holds(reminder: Reminder, on: dt.date, confirmed: bool) -> list[str]:
    """A disputed or paused invoice or client is reminded only on an explicit confirmation;
    the reasons confirmed are returned for the audit trail."""
    holds = [hold.text for hold in facts_module.reminder_holds(reminder, on)]
    if holds and not confirmed:
        raise ValidationError(
            {
                "confirm_dispute_or_pause": _(
                    "Cette relance concerne %(reasons)s. Cochez la confirmation pour l’enregistrer ou l’envoyer quand même."
                )
                % {"reasons": french_list(holds).rstrip(".")}
            }
        )
    return holds


def save_reminder(
    *,
    reminder: Reminder,
    actor: User | None,
    now: dt.datetime | None = None,
    confirm_dispute_or_pause: bool = False,
) -> Reminder:
    """Freeze the draft for printing and postal mail (or fax, or by hand).

    `now` is the moment of saving; only the demo data passes one, to build a past history
    whose letters are dated (and their penalties computed) as of that day.
    `confirm_dispute_or_pause`: the user confirmed a reminder about a disputed or paused
    invoice or client (refused without it)."""
    moment = now or timezone.now()
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_draft(reminder)
        _check_freezable(reminder, _lock_for_freezing(reminder, moment))
        holds = _check_holds(reminder, timezone.localdate(moment), confirm_dispute_or_pause)
        _freeze(reminder, Reminder.Status.SAVED, moment)
        reminder.save()
        changes: dict[str, Any] = {"reference": reminder.reference, "pdf_sha256": reminder.pdf_sha256}
        if holds:
            changes["confirmed_despite"] = holds
        record(
            business=reminder.business,
            actor=actor,
            action="saved",
            obj=reminder,
            client=reminder.client,
            changes=changes,
        )
    return reminder


def _message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "relance.local"
    return make_msgid(idstring="relance", domain=domain)


def _enqueue_send(reminder_id: int) -> None:
    transaction.on_commit(lambda: send_reminder_email.enqueue(reminder_id))


def send_reminder(*, reminder: Reminder, actor: User | None, confirm_dispute_or_pause: bool = False) -> Reminder:
    """Freeze the draft and send it by e-mail after commit (status `sending` until the server answers).

    The Message-ID is chosen now and kept: a retry carries the same one. A disputed or paused
    invoice or client needs `confirm_dispute_or_pause`, as for saving.
    """
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_draft(reminder)
        if not reminder.client.email:
            raise ValidationError({"channel": NO_EMAIL_MESSAGE})
        if not channel_for(reminder).sends_email:
            # Switching here would send a text nobody has read: the user switches in the editor.
            raise ValidationError({"channel": LETTER_CHANNEL_MESSAGE})
        now = timezone.now()
        _check_freezable(reminder, _lock_for_freezing(reminder, now))
        holds = _check_holds(reminder, timezone.localdate(now), confirm_dispute_or_pause)
        reminder.recipient_email = reminder.client.email
        reminder.message_id = _message_id()
        _freeze(reminder, Reminder.Status.SENDING, now)
        reminder.save()
        record(
            business=reminder.business,
            actor=actor,
            action="send_requested",
            obj=reminder,
            client=reminder.client,
            changes={
                "reference": reminder.reference,
                "to": reminder.recipient_email,
                "message_id": reminder.message_id,
                "pdf_sha256": reminder.pdf_sha256,
                **({"confirmed_despite": holds} if holds else {}),
            },
        )
        _enqueue_send(reminder.pk)
    return reminder


def retry_send(*, reminder: Reminder, actor: User | None) -> Reminder:
    """Send again a reminder whose sending failed; a sent reminder never goes twice."""
    with transaction.atomic():
        reminder = _locked(reminder)
        if reminder.status != Reminder.Status.SEND_FAILED:
            raise Conflict(_("Seule une relance dont l’envoi a échoué peut être renvoyée."))
        refuse_in_collection(reminder.invoices.all())
        reminder.status = Reminder.Status.SENDING
        reminder.send_claimed_at = None
        reminder.save(update_fields=["status", "send_claimed_at", "updated_at"])
        record(
            business=reminder.business,
            actor=actor,
            action="send_retried",
            obj=reminder,
            client=reminder.client,
            changes={"previous_error": reminder.send_error},
        )
        _enqueue_send(reminder.pk)
    return reminder


# Sends that never finished


def reclaim_stale_sends(*, reminder_id: int | None = None) -> list[int]:
    """Declare uncertain every send a worker started longer than REMINDER_SEND_TIMEOUT ago.

    Such a worker died (or lost the server) after handing the e-mail over, maybe before the
    server's answer: the client may have it. Nothing is sent again: only the user decides
    (`resend_uncertain`, `mark_sent`). A send no worker has taken yet has not left, and waits.
    Each row moves with a conditional UPDATE, so the worker's sweep, another worker and the
    reminder page can all run this at once and each send is declared once. Returns the ids moved.
    """
    bound = settings.REMINDER_SEND_TIMEOUT
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=bound)
    stale = Reminder.objects.filter(status=Reminder.Status.SENDING, send_claimed_at__lt=cutoff)
    if reminder_id is not None:
        stale = stale.filter(pk=reminder_id)
    moved = []
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            if not stale.filter(pk=pk).update(status=Reminder.Status.SEND_UNCERTAIN, updated_at=now):
                continue
            reminder = Reminder.objects.select_related("business", "client").get(pk=pk)
            started = reminder.send_claimed_at
            record(
                business=reminder.business,
                actor=None,
                action="send_uncertain",
                obj=reminder,
                client=reminder.client,
                changes={"started_at": started.isoformat() if started else "", "timeout_seconds": bound},
            )
        moved.append(pk)
    return moved


def unclaimed_send_bound() -> float:
    """Seconds after which a send no worker holds is deemed lost: the longest backoff between
    two attempts, plus the bound of a send in progress (a queue a little slow is no loss)."""
    return settings.REMINDER_SEND_TIMEOUT + retry_delay(max(1, settings.REMINDER_SEND_ATTEMPTS - 1))


def requeue_unclaimed_sends() -> list[int]:
    """Queue again each send that waits for a worker and that nothing touched for too long.

    Its task was lost: a worker killed after taking the task and before claiming the reminder,
    a web process killed between its commit and the queueing, a queue emptied. Such an e-mail
    never left, since the claim comes before the send, so sending it is no duplicate; should the
    first task still be waiting after all, whichever runs second finds the reminder claimed or
    sent and stops. The conditional UPDATE stamps the row, so that every worker's sweep may
    run this at once and each lost send is queued once per bound. Returns the ids queued.
    """
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=unclaimed_send_bound())
    lost = Reminder.objects.filter(status=Reminder.Status.SENDING, send_claimed_at__isnull=True, updated_at__lt=cutoff)
    queued = []
    for pk in list(lost.values_list("pk", flat=True)):
        with transaction.atomic():
            if lost.filter(pk=pk).update(updated_at=now):
                _enqueue_send(pk)
                queued.append(pk)
    return queued


def _locked_uncertain(reminder: Reminder) -> Reminder:
    """The reminder under its row lock, in state `send_uncertain` (a send past the bound becomes so)."""
    reclaim_stale_sends(reminder_id=reminder.pk)
    reminder = _locked(reminder)
    if reminder.status == Reminder.Status.SEND_UNCERTAIN:
        return reminder
    if reminder.status == Reminder.Status.SENDING:
        raise Conflict(_("La relance est en cours d’envoi : attendez la réponse du serveur d’envoi."))
    if reminder.status == Reminder.Status.SENT:
        raise Conflict(_("Cette relance est déjà envoyée : elle ne part pas une seconde fois."))
    raise Conflict(_("Seule une relance dont l’envoi est incertain peut être renvoyée ou marquée comme envoyée."))


def resend_uncertain(*, reminder: Reminder, actor: User | None) -> Reminder:
    """Send again, on the user's word, an e-mail that may already have reached the client.

    Same snapshot, same Message-ID: a server or a mail program that has the first copy may
    recognise the second as the same message.
    """
    with transaction.atomic():
        reminder = _locked_uncertain(reminder)
        refuse_in_collection(reminder.invoices.all())
        previous_start = reminder.send_claimed_at
        reminder.status = Reminder.Status.SENDING
        reminder.send_claimed_at = None
        reminder.save(update_fields=["status", "send_claimed_at", "updated_at"])
        record(
            business=reminder.business,
            actor=actor,
            action="resent",
            obj=reminder,
            client=reminder.client,
            changes={
                "message_id": reminder.message_id,
                "previous_start": previous_start.isoformat() if previous_start else "",
            },
        )
        _enqueue_send(reminder.pk)
    return reminder


def mark_sent(*, reminder: Reminder, actor: User | None) -> Reminder:
    """The user knows the uncertain e-mail arrived: sent, when the worker handed it over; nothing leaves."""
    with transaction.atomic():
        reminder = _locked_uncertain(reminder)
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = reminder.send_claimed_at or timezone.now()
        reminder.send_error = ""
        reminder.save(update_fields=["status", "sent_at", "send_error", "updated_at"])
        record(
            business=reminder.business,
            actor=actor,
            action="marked_sent",
            obj=reminder,
            client=reminder.client,
            changes={"sent_at": reminder.sent_at.isoformat()},
        )
    return reminder


# After freezing


def _require_frozen(reminder: Reminder) -> None:
    if reminder.is_draft:
        raise Conflict(_("Un brouillon ne se désactive pas : supprimez-le."))
    if reminder.status == Reminder.Status.SENDING:
        raise Conflict(_("La relance est en cours d’envoi : attendez la réponse du serveur d’envoi."))


def deactivate_reminder(*, reminder: Reminder, actor: User | None) -> Reminder:
    """Hide a saved or sent reminder from the history; it is kept and still counts for the next level."""
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_frozen(reminder)
        if reminder.deactivated_at is not None:
            raise Conflict(_("Cette relance est déjà désactivée."))
        reminder.deactivated_at = timezone.now()
        reminder.save(update_fields=["deactivated_at", "updated_at"])
        record(business=reminder.business, actor=actor, action="deactivated", obj=reminder, client=reminder.client)
    return reminder


def reactivate_reminder(*, reminder: Reminder, actor: User | None) -> Reminder:
    with transaction.atomic():
        reminder = _locked(reminder)
        _require_frozen(reminder)
        if reminder.deactivated_at is None:
            raise Conflict(_("Cette relance est déjà active."))
        reminder.deactivated_at = None
        reminder.save(update_fields=["deactivated_at", "updated_at"])
        record(business=reminder.business, actor=actor, action="reactivated", obj=reminder, client=reminder.client)
    return reminder


def record_registered_letter(
    *, reminder: Reminder, actor: User | None, number: str, receipt_date: dt.date | None
) -> Reminder:
    """The registered letter (LRAR) of a formal notice: its number and, once back, the receipt date.

    The receipt date starts the consumer's interest (art. 1231-6 and 1344-1 C. civ.).
    """
    check_one_line(number=number)
    check_dates(receipt_date=receipt_date)
    number = " ".join((number or "").split())
    errors = {}
    if not number:
        errors["number"] = _("Indiquez le numéro du recommandé.")
    elif len(number) > 50:
        errors["number"] = _("Le numéro du recommandé fait au plus 50 caractères.")
    today = timezone.localdate()
    if receipt_date is not None and receipt_date > today:
        errors["receipt_date"] = _("La date de réception ne peut pas être dans le futur.")
    with transaction.atomic():
        reminder = _locked(reminder)
        if reminder.level != Level.FORMAL_NOTICE:
            raise Conflict(_("Seule une mise en demeure s’envoie en recommandé avec accusé de réception."))
        _require_frozen(reminder)
        if receipt_date is not None and reminder.frozen_at and receipt_date < timezone.localdate(reminder.frozen_at):
            errors["receipt_date"] = _("La date de réception ne peut pas précéder la date de la mise en demeure.")
        if errors:
            raise ValidationError(errors)
        changes = {}
        if reminder.registered_number != number:
            changes["registered_number"] = [reminder.registered_number, number]
        if reminder.receipt_date != receipt_date:
            changes["receipt_date"] = [str(reminder.receipt_date or ""), str(receipt_date or "")]
        reminder.registered_number = number
        reminder.receipt_date = receipt_date
        reminder.save(update_fields=["registered_number", "receipt_date", "updated_at"])
        if changes:
            record(
                business=reminder.business,
                actor=actor,
                action="registered_letter",
                obj=reminder,
                client=reminder.client,
                changes=changes,
            )
    return reminder
