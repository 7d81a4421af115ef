"""One pass of the scheduler (`relance scheduler`): the rates, then each business in turn.

For a business whose automation is on and whose sending window is open, each open invoice's
latest due step (of its client's plan, or the default plan) is found; steps missed while the
scheduler was down are passed over, never sent in a burst. A client's invoices at one step
level make one reminder. A step needing approval waits in the "À valider" queue as a draft.

Exactly once: a business is held by one scheduler at a time (a lease taken with a conditional
UPDATE, so on SQLite and PostgreSQL alike), and each (invoice, step) has one row at most
(a unique constraint): a second scheduler, or a rerun, finds the step done.
"""

import datetime as dt
import logging
import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Business
from automation import summary, window
from automation.models import (
    AutomationSettings,
    AutoReminder,
    AutoReminderInvoice,
    PlanStep,
    StepLevel,
)
from automation.services import (
    default_plan,
    deliver,
    error_text,
    is_not_to_remind,
    make_draft,
    withdraw_settled,
)
from core.errors import Conflict
from dunning.models import Reminder, ReminderInvoice
from dunning.send_warnings import warnings_before_sending
from ledger.models import Client, Invoice
from rates.services import fetch_when_due

logger = logging.getLogger(__name__)

# Longer than a pass over one business takes; a scheduler that died frees its businesses then.
LEASE = dt.timedelta(minutes=15)


@dataclass
class PassReport:
    businesses: int = 0
    busy: int = 0
    created: int = 0
    sent: int = 0
    saved: int = 0
    awaiting: int = 0
    failed: int = 0
    held: int = 0
    summaries: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, status: str) -> None:
        self.created += 1
        if status == AutoReminder.Status.SENT:
            self.sent += 1
        elif status == AutoReminder.Status.SAVED:
            self.saved += 1
        elif status == AutoReminder.Status.AWAITING_APPROVAL:
            self.awaiting += 1
        elif status == AutoReminder.Status.FAILED:
            self.failed += 1

    @property
    def summary(self) -> str:
        return (
            f"{self.businesses} entreprise(s) traitée(s), {self.busy} déjà prise(s) par un autre planificateur ; "
            f"{self.created} relance(s) : {self.sent} envoyée(s), {self.saved} courrier(s) à imprimer, "
            f"{self.awaiting} à valider, {self.failed} échec(s) ; {self.held} écartée(s) au moment de l’envoi."
        )


def scheduler_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(business_id: int, owner: str) -> bool:
    now = timezone.now()
    return bool(
        AutomationSettings.objects.filter(business_id=business_id, enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner))
        .update(lease_owner=owner, lease_until=now + LEASE)
    )


def release(business_id: int, owner: str) -> None:
    AutomationSettings.objects.filter(business_id=business_id, lease_owner=owner).update(
        lease_owner="", lease_until=None
    )


def run_pass(*, now: dt.datetime | None = None, owner: str | None = None) -> PassReport:
    """One pass over every business with automation on. Safe to run in several processes."""
    now = now or timezone.now()
    owner = owner or scheduler_id()
    report = PassReport()
    try:
        fetch_when_due(today=timezone.localdate(now))
    except Exception:
        # The rates must never stop the reminders; the next day tries again.
        logger.exception("Automatic fetch of the ECB rates failed")
    business_ids = list(
        AutomationSettings.objects.filter(enabled=True).order_by("business_id").values_list("business_id", flat=True)
    )
    for business_id in business_ids:
        if not claim(business_id, owner):
            report.busy += 1
            continue
        try:
            run_business(business_id, now, report)
            report.businesses += 1
        except Exception as error:
            logger.exception("Automatic reminders of business %s failed", business_id)
            report.errors.append(f"{business_id}: {type(error).__name__}")
        finally:
            release(business_id, owner)
    return report


@dataclass
class Due:
    invoice_id: int
    client_id: int
    step: PlanStep


@dataclass
class Books:
    """What the plan needs to know of a business's open invoices, read in a handful of queries."""

    default_plan_id: int
    steps: dict[int, list[PlanStep]]
    # (invoice id, client id, due date, the client's own plan id)
    invoices: list[tuple[int, int, dt.date, int | None]]
    # invoice id → the latest step (its offset) already done for it
    done: dict[int, int]
    # invoice id → the highest level of a reminder the user made by hand
    by_hand: dict[int, int]

    def latest_due(self, invoice_id: int, due_date: dt.date, plan_id: int | None, day: dt.date) -> PlanStep | None:
        """The invoice's latest step reached on `day`, unless done (or passed over) already."""
        elapsed = (day - due_date).days
        # A courtesy reminder is for before the due date only.
        reached = [
            step
            for step in self.steps.get(plan_id or self.default_plan_id, [])
            if step.offset_days <= elapsed and not (step.offset_days < 0 and elapsed >= 0)
        ]
        if not reached:
            return None
        latest = reached[-1]
        if invoice_id in self.done and self.done[invoice_id] >= latest.offset_days:
            return None
        if latest.level != StepLevel.COURTESY and self.by_hand.get(invoice_id, 0) >= latest.level:
            return None
        return latest


def remindable_invoices(business: Business, day: dt.date) -> Q:
    """Open invoices that may be reminded on `day`: not disputed, not paused, not held by a
    collection case, their client not paused, neither left out of automation. Checked again by
    dunning at the moment of sending."""
    client_paused = Q(client__reminders_paused=True) & (
        Q(client__pause_until__isnull=True) | Q(client__pause_until__gte=day)
    )
    return (
        Q(business=business, cancelled_at__isnull=True, amount_due__gt=0, disputed=False)
        & Q(in_collection_since__isnull=True)
        & ~Q(reminders_paused_until__gte=day)
        & ~client_paused
        & Q(automation_exclusion__isnull=True)
        & ~Q(client__automation__excluded=True)
    )


def read_books(business: Business, day: dt.date, *, horizon: int = 0) -> Books:
    """The invoices that may have a step due by `day` + `horizon` days."""
    default = default_plan(business)
    steps: dict[int, list[PlanStep]] = defaultdict(list)
    for step in PlanStep.objects.filter(plan__business=business, active=True).order_by("offset_days"):
        steps[step.plan_id].append(step)
    offsets = [step.offset_days for plan_steps in steps.values() for step in plan_steps]
    if not offsets:
        return Books(default.pk, steps, [], {}, {})
    last_due = day + dt.timedelta(days=horizon - min(offsets))
    invoices = Invoice.objects.filter(remindable_invoices(business, day), due_date__lte=last_due)
    rows: list[tuple[int, int, dt.date, int | None]] = list(
        invoices.values_list("pk", "client_id", "due_date", "client__automation__plan_id")
    )
    done: dict[int, int] = {}
    for invoice_id, offset in AutoReminderInvoice.objects.filter(invoice__in=invoices).values_list(
        "invoice_id", "step__offset_days"
    ):
        done[invoice_id] = max(offset, done.get(invoice_id, offset))
    # A reminder the user made by hand counts: the plan never sends a lower or equal level after it.
    by_hand: dict[int, int] = {}
    for invoice_id, level in (
        ReminderInvoice.objects.filter(invoice__in=invoices, reminder__automatic__isnull=True)
        .exclude(reminder__status=Reminder.Status.DRAFT)
        .values_list("invoice_id", "reminder__level")
    ):
        by_hand[invoice_id] = max(level, by_hand.get(invoice_id, level))
    return Books(default.pk, steps, rows, done, by_hand)


def due_steps(business: Business, day: dt.date) -> list[Due]:
    """Each invoice's latest due step not yet done, on `day`."""
    books = read_books(business, day)
    found = []
    for invoice_id, client_id, due_date, plan_id in books.invoices:
        step = books.latest_due(invoice_id, due_date, plan_id, day)
        if step is not None:
            found.append(Due(invoice_id, client_id, step))
    return found


@dataclass
class Planned:
    """One reminder the plan would make: on which day, for whom, at which step."""

    day: dt.date
    client_id: int
    step: PlanStep
    invoice_ids: list[int]


def preview(business: Business, today: dt.date, *, days: int = 30) -> list[Planned]:
    """What the plan would do over the next `days` days if nothing were paid meanwhile: each
    business day, each invoice's latest due step, grouped per client and level like a pass."""
    books = read_books(business, today, horizon=days)
    planned: list[Planned] = []
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        if not window.is_business_day(day):
            continue
        groups: dict[tuple[int, int], list[tuple[int, PlanStep]]] = defaultdict(list)
        for invoice_id, client_id, due_date, plan_id in books.invoices:
            step = books.latest_due(invoice_id, due_date, plan_id, day)
            if step is not None:
                groups[(client_id, step.level)].append((invoice_id, step))
                books.done[invoice_id] = step.offset_days
        for (client_id, _level), items in sorted(groups.items()):
            step = max((item[1] for item in items), key=lambda step: step.offset_days)
            planned.append(Planned(day, client_id, step, sorted(item[0] for item in items)))
    return planned


def run_business(business_id: int, now: dt.datetime, report: PassReport) -> None:
    automation = AutomationSettings.objects.select_related("business").get(business_id=business_id)
    business = automation.business
    if window.is_open(now, automation.window_start, automation.window_end):
        day = timezone.localdate(now)
        groups: dict[tuple[int, int], list[Due]] = defaultdict(list)
        for due in due_steps(business, day):
            groups[(due.client_id, due.step.level)].append(due)
        for (client_id, _level), dues in sorted(groups.items()):
            _make(business, client_id, dues, day, report)
        withdraw_settled(business=business)
    if summary.send_if_due(automation, now):
        report.summaries += 1


def _make(business: Business, client_id: int, dues: list[Due], day: dt.date, report: PassReport) -> None:
    """One reminder for a client's invoices at one level, in one transaction with its
    (invoice, step) rows: another scheduler that got there first makes this one fail whole."""
    step = max((due.step for due in dues), key=lambda step: step.offset_days)
    invoice_ids = sorted(due.invoice_id for due in dues)
    try:
        with transaction.atomic():
            # A pause of the client's reminders waits for this reminder, or is seen by it.
            client = Client.objects.select_for_update(of=("self",), no_key=True).get(pk=client_id)
            auto = AutoReminder.objects.create(
                business=business,
                client=client,
                level=step.level,
                channel=step.channel,
                status=AutoReminder.Status.AWAITING_APPROVAL,
                planned_on=day,
            )
            AutoReminderInvoice.objects.bulk_create(
                AutoReminderInvoice(auto_reminder=auto, invoice_id=due.invoice_id, step=due.step) for due in dues
            )
            auto.reminder = make_draft(
                business=business, client=client, level=step.level, channel=step.channel, invoice_ids=invoice_ids
            )
            # A bank line that may already pay an invoice (or any warning the summary page would
            # show) stops the automatic send: the user decides in the approval queue.
            warnings = warnings_before_sending(auto.reminder)
            if warnings:
                auto.error = " ".join(warning.text for warning in warnings)
            elif not step.needs_approval:
                auto.status = deliver(auto.reminder, step.channel)
                auto.decided_at = timezone.now()
            auto.save()
    except IntegrityError:
        # Another scheduler made it meanwhile: nothing to do.
        return
    except (ValidationError, Conflict) as error:
        if is_not_to_remind(error):
            # Paid, cancelled, disputed or paused since the invoices were read: not reminded,
            # and looked at again on the next pass.
            report.held += 1
            return
        _record_failure(business, client_id, dues, step, day, error_text(error))
        report.count(AutoReminder.Status.FAILED)
        return
    report.count(auto.status)


def _record_failure(
    business: Business, client_id: int, dues: list[Due], step: PlanStep, day: dt.date, error: str
) -> None:
    """A reminder that could not be made (no e-mail address, a template that no longer renders):
    shown in the list and the daily summary; its step is done, the user decides what follows."""
    try:
        with transaction.atomic():
            auto = AutoReminder.objects.create(
                business=business,
                client_id=client_id,
                level=step.level,
                channel=step.channel,
                status=AutoReminder.Status.FAILED,
                planned_on=day,
                error=error,
                decided_at=timezone.now(),
            )
            AutoReminderInvoice.objects.bulk_create(
                AutoReminderInvoice(auto_reminder=auto, invoice_id=due.invoice_id, step=due.step) for due in dues
            )
    except IntegrityError:
        return
