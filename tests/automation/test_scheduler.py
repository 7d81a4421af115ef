"""The scheduler over a simulated month, the clock stopped at 10:00 in Paris each day.

November 2026: Wednesday 11 is a public holiday (Armistice), weekends send nothing.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from accounts.models import Business, User
from automation import services
from automation.models import AutoReminder, AutoReminderInvoice
from automation.scheduler import PassReport
from dunning import services as dunning_services
from dunning.models import Reminder
from ledger import services as ledger_services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice

D = dt.date


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def made(business: Business) -> list[tuple[dt.date, str, int, str, list[str]]]:
    """(day, client, level, status, invoices) of every automatic reminder, in order."""
    rows = []
    for auto in AutoReminder.objects.filter(business=business).order_by("planned_on", "client__name", "level"):
        numbers = sorted(
            AutoReminderInvoice.objects.filter(auto_reminder=auto).values_list("invoice__number", flat=True)
        )
        rows.append((auto.planned_on, auto.client.name, auto.level, auto.status, numbers))
    return rows


@pytest.mark.django_db
def test_a_month_of_the_default_plan(
    automated: Business, owner: User, pass_on: Callable[..., PassReport], clock: Callable[..., None]
) -> None:
    alpha = make_client(automated, name="Alpha", email="alpha@client.test")
    beta = make_client(automated, name="Beta", email="beta@client.test")
    gamma = make_client(automated, name="Gamma", email="gamma@client.test")
    delta = make_client(
        automated,
        name="Delta",
        email="delta@client.test",
        reminders_paused=True,
        pause_reason="Litige en cours de règlement",
        pause_until=D(2026, 11, 16),
    )
    epsilon = make_client(automated, name="Epsilon", email="epsilon@client.test")
    a = make_invoice(automated, alpha, number="A", issue_date=D(2026, 10, 6), due_date=D(2026, 11, 5))
    make_invoice(automated, alpha, number="B", issue_date=D(2026, 10, 5), due_date=D(2026, 11, 4))
    c = make_invoice(automated, beta, number="C", issue_date=D(2026, 9, 30), due_date=D(2026, 10, 30))
    d = make_invoice(automated, gamma, number="D", issue_date=D(2026, 10, 2), due_date=D(2026, 11, 2))
    Invoice.objects.filter(pk=d.pk).update(disputed=True, dispute_reason="Prestation contestée")
    make_invoice(automated, delta, number="E", issue_date=D(2026, 10, 3), due_date=D(2026, 11, 3))
    make_invoice(automated, epsilon, number="F", issue_date=D(2026, 9, 1), due_date=D(2026, 10, 1))

    for day in days(D(2026, 11, 2), D(2026, 12, 4)):
        if day == D(2026, 11, 10):
            # C is paid in full, A in part: C is never reminded again, A still is.
            clock(day, dt.time(8, 0))
            ledger_services.record_payment(invoice=c, actor=owner, date=day, amount="1000.00")
            ledger_services.record_payment(invoice=a, actor=owner, date=day, amount="400.00")
        pass_on(day)

    courtesy, friendly, second, notice = 0, 1, 2, 3
    sent, awaiting = AutoReminder.Status.SENT, AutoReminder.Status.AWAITING_APPROVAL
    assert made(automated) == [
        # A (J-3) and B (J-2, its J-3 was a Sunday): one courtesy e-mail for the client.
        (D(2026, 11, 2), "Alpha", courtesy, sent, ["A", "B"]),
        # F was 32 days late when the scheduler first ran: only its latest due step, not J+7 too.
        (D(2026, 11, 2), "Epsilon", second, sent, ["F"]),
        (D(2026, 11, 6), "Beta", friendly, sent, ["C"]),
        # B's J+7 was the public holiday: sent the next business day, with A's J+7.
        (D(2026, 11, 12), "Alpha", friendly, sent, ["A", "B"]),
        # F's J+45 (a Sunday) is a formal notice by letter, waiting for approval.
        (D(2026, 11, 16), "Epsilon", notice, awaiting, ["F"]),
        # Delta's pause ended on the 16th: its J+7 (the 10th) goes on the 17th.
        (D(2026, 11, 17), "Delta", friendly, sent, ["E"]),
        (D(2026, 11, 24), "Delta", second, sent, ["E"]),
        (D(2026, 11, 25), "Alpha", second, sent, ["B"]),
        (D(2026, 11, 26), "Alpha", second, sent, ["A"]),
    ]
    # Every e-mail through dunning's send, once; Gamma (disputed) and Beta after payment never.
    reminders = Reminder.objects.filter(business=automated)
    assert reminders.filter(status=Reminder.Status.SENT).count() == 8
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["alpha@client.test"] * 4 + ["epsilon@client.test", "beta@client.test"] + ["delta@client.test"] * 2
    )
    assert reminders.filter(status=Reminder.Status.DRAFT).count() == 1  # the formal notice awaiting approval
    assert not reminders.filter(lines__invoice=d).exists()
    # The days of the sends were business days inside the window.
    for reminder in reminders.exclude(status=Reminder.Status.DRAFT):
        assert reminder.frozen_at is not None
        assert reminder.frozen_at.weekday() < 5


@pytest.mark.django_db
def test_nothing_leaves_while_automation_is_off(business: Business, pass_on: Callable[..., PassReport]) -> None:
    client = make_client(business, name="Alpha")
    make_invoice(business, client, issue_date=D(2026, 9, 1), due_date=D(2026, 10, 1))
    report = pass_on(D(2026, 11, 2))
    assert report.businesses == 0
    assert not AutoReminder.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "at"),
    [
        (D(2026, 11, 7), dt.time(10, 0)),  # Saturday
        (D(2026, 11, 11), dt.time(10, 0)),  # Armistice
        (D(2026, 11, 12), dt.time(8, 59)),  # before the window
        (D(2026, 11, 12), dt.time(18, 0)),  # at its end
    ],
)
def test_nothing_leaves_outside_the_sending_window(
    automated: Business, pass_on: Callable[..., PassReport], day: dt.date, at: dt.time
) -> None:
    make_invoice(automated, make_client(automated), issue_date=D(2026, 9, 1), due_date=D(2026, 10, 1))
    pass_on(day, at)
    assert not AutoReminder.objects.exists()


@pytest.mark.django_db
def test_the_window_follows_the_business_hours(
    automated: Business, owner: User, pass_on: Callable[..., PassReport]
) -> None:
    services.update_automation(business=automated, actor=owner, window_start="07:30", window_end="08:30")
    make_invoice(automated, make_client(automated), issue_date=D(2026, 9, 1), due_date=D(2026, 10, 1))
    pass_on(D(2026, 11, 12), dt.time(10, 0))
    assert not AutoReminder.objects.exists()
    pass_on(D(2026, 11, 12), dt.time(7, 45))
    assert AutoReminder.objects.count() == 1


@pytest.mark.django_db
def test_catch_up_after_downtime_sends_only_the_latest_step(
    automated: Business, pass_on: Callable[..., PassReport]
) -> None:
    client = make_client(automated, name="Alpha")
    make_invoice(automated, client, number="OLD", issue_date=D(2026, 8, 1), due_date=D(2026, 9, 1))
    make_invoice(automated, client, number="MID", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    # Down since September: OLD is past J+45, MID past J+7.
    pass_on(D(2026, 11, 2))
    pass_on(D(2026, 11, 3))
    assert [(level, status, numbers) for _day, _client, level, status, numbers in made(automated)] == [
        (1, AutoReminder.Status.SENT, ["MID"]),
        (3, AutoReminder.Status.AWAITING_APPROVAL, ["OLD"]),
    ]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_second_pass_the_same_day_makes_nothing(automated: Business, pass_on: Callable[..., PassReport]) -> None:
    client = make_client(automated)
    make_invoice(automated, client, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    assert pass_on(D(2026, 11, 2)).created == 1
    assert pass_on(D(2026, 11, 2), dt.time(11, 0)).created == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_step_is_done_once_whatever_runs(automated: Business, pass_on: Callable[..., PassReport]) -> None:
    """The database refuses a second row for one (invoice, step)."""
    from django.db import IntegrityError, transaction

    client = make_client(automated)
    invoice = make_invoice(automated, client, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    pass_on(D(2026, 11, 2))
    line = AutoReminderInvoice.objects.get(invoice=invoice)
    with pytest.raises(IntegrityError), transaction.atomic():
        AutoReminderInvoice.objects.create(auto_reminder=line.auto_reminder, invoice=invoice, step=line.step)


@pytest.mark.django_db
def test_a_client_or_an_invoice_left_out_is_never_reminded(
    automated: Business, owner: User, pass_on: Callable[..., PassReport]
) -> None:
    left_out = make_client(automated, name="Exclu")
    kept = make_client(automated, name="Gardé")
    make_invoice(automated, left_out, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    skipped = make_invoice(automated, kept, number="SKIP", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    make_invoice(automated, kept, number="KEEP", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    services.set_client_automation(client=left_out, actor=owner, excluded=True)
    services.set_invoice_excluded(invoice=skipped, actor=owner, excluded=True)
    pass_on(D(2026, 11, 2))
    assert [(client, numbers) for _d, client, _l, _s, numbers in made(automated)] == [("Gardé", ["KEEP"])]


@pytest.mark.django_db
def test_a_client_follows_its_own_plan(automated: Business, owner: User, pass_on: Callable[..., PassReport]) -> None:
    patient = make_client(automated, name="Patient")
    plan = services.create_plan(
        business=automated, actor=owner, name="Grands comptes", steps=[{"offset_days": 30, "level": 1}]
    )
    services.set_client_automation(client=patient, actor=owner, plan=plan)
    make_invoice(automated, patient, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    pass_on(D(2026, 11, 2))  # J+13: the default plan would send its J+7
    assert not AutoReminder.objects.exists()
    pass_on(D(2026, 11, 19))  # J+30
    assert [(client, level) for _d, client, level, _s, _n in made(automated)] == [("Patient", 1)]


@pytest.mark.django_db
def test_a_reminder_sent_by_hand_is_not_repeated_by_the_plan(
    automated: Business,
    owner: User,
    pass_on: Callable[..., PassReport],
    clock: Callable[..., None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = make_client(automated)
    invoice = make_invoice(automated, client, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    clock(D(2026, 10, 30))
    draft = dunning_services.create_reminder(business=automated, actor=owner, invoice_ids=[invoice.pk], level=2)
    with django_capture_on_commit_callbacks(execute=True):
        dunning_services.send_reminder(reminder=draft, actor=owner)
    pass_on(D(2026, 11, 2))  # J+13: level 1 is due, level 2 was sent by hand
    assert not AutoReminder.objects.exists()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_client_without_an_email_address_is_a_visible_failure(
    automated: Business, pass_on: Callable[..., PassReport]
) -> None:
    client = make_client(automated, name="Sans adresse", email="")
    make_invoice(automated, client, issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    report = pass_on(D(2026, 11, 2))
    assert report.failed == 1
    failed = AutoReminder.objects.get()
    assert failed.status == AutoReminder.Status.FAILED
    assert "adresse e-mail" in failed.error
    assert not Reminder.objects.exists()
    # Done once: the next pass does not try again every minute.
    assert pass_on(D(2026, 11, 3)).created == 0


@pytest.mark.django_db
def test_amounts_left_after_a_partial_payment_are_reminded(
    automated: Business, owner: User, pass_on: Callable[..., PassReport], clock: Callable[..., None]
) -> None:
    client = make_client(automated)
    invoice = make_invoice(automated, client, amount="1000.00", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    clock(D(2026, 10, 30))
    ledger_services.record_payment(invoice=invoice, actor=owner, date=D(2026, 10, 30), amount="250.00")
    pass_on(D(2026, 11, 2))
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT
    assert Decimal(reminder.snapshot["totals"]["amount_due"]) == Decimal("750.00")
