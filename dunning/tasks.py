"""Background work of the reminder workflow. Tasks take ids and are safe to run twice."""

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from core.audit import record
from dunning.models import Reminder
from dunning.outgoing import build_reminder_email

logger = logging.getLogger(__name__)


def describe_send_error(exc: BaseException) -> str:
    """The server's answer in French words, with its own text for whoever checks the logs."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        details = "; ".join(
            f"{address} : {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in exc.recipients.items()
        )
        return f"Le serveur d’envoi a refusé le destinataire ({details})."
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"Le serveur d’envoi a refusé la connexion ({exc.smtp_code} {error})."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "Le serveur d’envoi a coupé la connexion sans accepter l’e-mail."
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"Le serveur d’envoi a refusé l’e-mail ({exc.smtp_code} {error})."
    if isinstance(exc, smtplib.SMTPException):
        return f"Erreur du serveur d’envoi : {exc}."
    if isinstance(exc, OSError):
        return f"Serveur d’envoi injoignable : {exc}."
    return f"L’e-mail n’a pas pu être préparé : {type(exc).__name__}."


class _WatchedSMTP(smtplib.SMTP):
    """Knows when the end of the message (CRLF.CRLF) has left for the server. From then on the
    server may deliver it whatever happens to the connection, and only its answer tells whether
    it will (RFC 1047, "Duplicate messages and SMTP")."""

    message_handed_over = False

    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        self.message_handed_over = False
        return super().mail(sender, options)

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.message_handed_over = True


class _WatchedSMTPSSL(_WatchedSMTP, smtplib.SMTP_SSL):
    pass


class _WatchedBackend(SmtpBackend):
    """Django's SMTP backend, telling after a send whether the message was handed over."""

    _smtp: _WatchedSMTP | None = None

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _WatchedSMTPSSL if self.use_ssl else _WatchedSMTP

    def open(self) -> bool | None:
        opened = super().open()
        # Kept past close(), which forgets the connection before the caller can ask.
        if isinstance(self.connection, _WatchedSMTP):
            self._smtp = self.connection
        return opened

    @property
    def handed_over(self) -> bool:
        return self._smtp is not None and self._smtp.message_handed_over


def _watched_backend() -> _WatchedBackend | None:
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return None
    return _WatchedBackend(fail_silently=False)


def is_temporary(exc: BaseException) -> bool:
    """Whether the server asked to try again later, or could not be reached at all.

    A 4xx reply is "transient negative completion" (RFC 5321, section 4.2.1): the same message
    may succeed later. A refused or dropped connection never carried the message. Only called
    for a message not handed over, or refused by an answer: a retry then never duplicates.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    # Connection refused, reset, timed out before the message, or closed by the server.
    return isinstance(exc, OSError)


def retry_delay(attempt: int) -> float:
    """Seconds before the attempt after `attempt`: the base, doubled each time."""
    return float(settings.REMINDER_SEND_RETRY_DELAY * 2 ** (attempt - 1))


def _unanswered_reason(exc: BaseException) -> str:
    if isinstance(exc.__context__, TimeoutError):
        return "Le serveur d’envoi n’a pas répondu après avoir reçu l’e-mail."
    return "Le serveur d’envoi a coupé la connexion après avoir reçu l’e-mail, sans répondre."


def _still_ours(reminder_id: int, claimed_at: dt.datetime) -> Q:
    """The row, as long as it is still this run's send: being sent, or declared uncertain by the
    sweep while the server was slow. Not once the user marked it sent, nor resent it."""
    return Q(
        pk=reminder_id,
        status__in=[Reminder.Status.SENDING, Reminder.Status.SEND_UNCERTAIN],
        send_claimed_at=claimed_at,
    )


def _mark_failed(reminder: Reminder, claimed_at: dt.datetime, error: str) -> str:
    failed = Reminder.objects.filter(_still_ours(reminder.pk, claimed_at)).update(
        status=Reminder.Status.SEND_FAILED, send_error=error, send_claimed_at=None, updated_at=timezone.now()
    )
    if not failed:
        # The user has decided meanwhile (sent, or sent again): their decision stands.
        logger.warning("Reminder %s: a late failure left the reminder as the user set it: %s", reminder.pk, error)
        return "failed"
    record(
        business=reminder.business,
        actor=None,
        action="send_failed",
        obj=reminder,
        client=reminder.client,
        changes={"error": error},
    )
    return "failed"


def _mark_uncertain(reminder: Reminder, claimed_at: dt.datetime, error: str) -> str:
    """The server had the whole message and never answered: it may deliver it. Only the user
    can decide to send it again; a failure would invite a retry that makes a duplicate."""
    declared = Reminder.objects.filter(_still_ours(reminder.pk, claimed_at), status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SEND_UNCERTAIN, updated_at=timezone.now()
    )
    if declared:
        record(
            business=reminder.business,
            actor=None,
            action="send_uncertain",
            obj=reminder,
            client=reminder.client,
            changes={"started_at": claimed_at.isoformat(), "error": error},
        )
    return "uncertain"


def _retry_later(reminder: Reminder, claimed_at: dt.datetime, attempt: int, error: str) -> str:
    """Give the claim back and ask for another attempt after the backoff.

    The row stays `sending`, unclaimed, with the error for the reminder's page: the next run
    claims it again, as would the first. Were the queued attempt ever lost, the sweep
    (`dunning.services.requeue_unclaimed_sends`) queues another.
    """
    released = Reminder.objects.filter(_still_ours(reminder.pk, claimed_at), status=Reminder.Status.SENDING).update(
        send_claimed_at=None, send_error=error, updated_at=timezone.now()
    )
    if not released:
        # Declared uncertain while the server was slow: its refusal settles that nothing left,
        # and the user, who was asked, now sees a failure to retry. Or the user decided already.
        return _mark_failed(reminder, claimed_at, error)
    delay = retry_delay(attempt)
    logger.info("Reminder %s: attempt %s failed for now (%s); next in %s s", reminder.pk, attempt, error, delay)
    later = send_reminder_email
    # The immediate backend (tests) cannot wait: it runs the next attempt at once.
    if default_task_backend.supports_defer:
        later = later.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    transaction.on_commit(lambda: later.enqueue(reminder.pk, attempt + 1))
    return "retry"


@task()
def send_reminder_email(reminder_id: int, attempt: int = 1) -> str:
    """Send a reminder in state `sending`, once.

    A temporary failure (a 4xx reply, a server out of reach) before the server had the message
    is tried again, `attempt` counting the tries, after a delay that doubles each time, up to
    REMINDER_SEND_ATTEMPTS; the last one that fails leaves the reminder failed, for the user.

    The conditional UPDATE claims the row: a second run (duplicate job, retry after a crash)
    finds it claimed, sent or failed and sends nothing. A crash after the server had the
    e-mail leaves the row claimed in `sending`; past REMINDER_SEND_TIMEOUT the sweep
    (`dunning.services.reclaim_stale_sends`) calls it uncertain and the user decides. It is
    never re-sent automatically: a second copy would be worse than a question to the user.
    """
    claimed_at = timezone.now()
    claimed = Reminder.objects.filter(
        pk=reminder_id, status=Reminder.Status.SENDING, send_claimed_at__isnull=True
    ).update(send_claimed_at=claimed_at, send_attempts=F("send_attempts") + 1)
    if not claimed:
        return "skipped"
    reminder = Reminder.objects.select_related("business", "client").get(pk=reminder_id)
    backend = _watched_backend()
    message: EmailMultiAlternatives | None = None
    try:
        message = build_reminder_email(reminder)
        message.connection = backend
        # The business's copy goes in its own transaction, after the client's: a server takes a
        # message when any one recipient is accepted, and Django then reports success, so in one
        # transaction a refused client with an accepted copy would pass for sent.
        own_copy, message.bcc = message.bcc, []
        delivered = message.send(fail_silently=False)
    except Exception as exc:
        logger.warning("Reminder %s: sending failed", reminder_id, exc_info=True)
        # An error reply is the server's refusal; a silence or a hang-up after the message is not.
        if backend is not None and backend.handed_over and not isinstance(exc, smtplib.SMTPResponseException):
            return _mark_uncertain(reminder, claimed_at, _unanswered_reason(exc))
        # A message that could not even be built (a missing PDF) will not build better later.
        if message is not None and is_temporary(exc) and attempt < settings.REMINDER_SEND_ATTEMPTS:
            return _retry_later(reminder, claimed_at, attempt, describe_send_error(exc))
        return _mark_failed(reminder, claimed_at, describe_send_error(exc))
    if not delivered:
        return _mark_failed(reminder, claimed_at, "Le serveur d’envoi n’a pas accepté l’e-mail.")
    sent_at = timezone.now()
    # Also when the user asked for a resend no worker has taken yet: this copy arrived, the
    # queued one then finds the reminder sent and stays home.
    resend_waiting = Q(pk=reminder_id, status=Reminder.Status.SENDING, send_claimed_at__isnull=True)
    Reminder.objects.filter(_still_ours(reminder_id, claimed_at) | resend_waiting).update(
        status=Reminder.Status.SENT, sent_at=sent_at, send_error="", send_claimed_at=claimed_at, updated_at=sent_at
    )
    changes = {"to": reminder.recipient_email, "message_id": reminder.message_id}
    if own_copy:
        copy_error = _send_own_copy(message, own_copy, reminder_id)
        if copy_error:
            changes["copy_error"] = copy_error
    # Recorded whatever the row says now: the server took this copy, the history must say so.
    record(business=reminder.business, actor=None, action="sent", obj=reminder, client=reminder.client, changes=changes)
    return "sent"


def _send_own_copy(message: EmailMultiAlternatives, addresses: list[str], reminder_id: int) -> str:
    """The client's e-mail, still addressed to the client, delivered to the business.

    The client has it already: a failure here is reported, never retried.
    """
    message.extra_headers["To"] = ", ".join(message.to)
    message.to = addresses
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        logger.warning("Reminder %s: the business's copy failed", reminder_id, exc_info=True)
        return describe_send_error(exc)
    return ""
