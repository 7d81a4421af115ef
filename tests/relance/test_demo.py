import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Business, User
from core.models import AuditEvent
from dunning.models import Reminder
from ledger.buckets import key_for
from ledger.models import Client, CreditNote, Invoice, Payment
from relance.demo import DEMO_EMAIL, DEMO_PASSWORD, DemoAlreadyLoaded, load_demo, remove_demo
from tests.factories import make_client, make_invoice

TODAY = dt.date(2026, 11, 28)
# Franchise en base de TVA for services (CGI art. 293 B): a plausible demo stays below it.
VAT_FRANCHISE_CEILING = Decimal("37500")

pytestmark = pytest.mark.django_db


def test_demo_has_one_business_forty_clients_and_three_hundred_invoices() -> None:
    summary = load_demo(today=TODAY)

    business = summary.business
    assert Business.objects.count() == 1
    assert business.users.get().email == DEMO_EMAIL
    assert business.clients.count() == summary.clients == 40
    assert business.invoices.count() == summary.invoices == 300
    assert business.payments.count() == summary.payments > 250
    assert business.credit_notes.count() == summary.credit_notes > 0


def test_demo_business_has_its_three_reminder_templates() -> None:
    business = load_demo(today=TODAY).business

    assert sorted(business.reminder_templates.values_list("level", flat=True)) == [1, 2, 3]


def test_demo_business_identifiers_pass_their_checks() -> None:
    business = load_demo(today=TODAY).business

    business.full_clean()
    assert business.vat_status == Business.VatStatus.FRANCHISE
    assert business.display_name.endswith(" EI")
    for client in business.clients.all():
        client.full_clean()


def test_demo_clients_mix_professionals_consumers_missing_emails_and_pauses() -> None:
    business = load_demo(today=TODAY).business

    clients = business.clients.all()
    assert clients.filter(kind=Client.Kind.BUSINESS).count() >= 20
    assert clients.filter(kind=Client.Kind.CONSUMER).count() >= 8
    assert clients.filter(email="").count() >= 3
    paused = clients.filter(reminders_paused=True)
    assert 1 <= paused.count() <= 2
    assert all(client.pause_reason and client.pause_until > TODAY for client in paused)
    assert not clients.annotate(n=Count("invoices")).filter(n=0).exists()


@pytest.mark.parametrize("today", [TODAY, dt.date(2027, 1, 1), dt.date(2028, 2, 29)])
def test_demo_has_open_invoices_in_every_lateness_bucket_as_of_today(today: dt.date) -> None:
    business = load_demo(today=today).business

    counts: dict[str, int] = {}
    for invoice in business.invoices.open():
        key = key_for((today - invoice.due_date).days, business.bounds)
        counts[key] = counts.get(key, 0) + 1
    assert set(counts) == {"not_due", "1-30", "31-60", "61-90", "90+"}
    assert business.invoices.filter(issue_date__lt=today - dt.timedelta(days=730)).count() == 0
    assert business.invoices.filter(issue_date__gt=today).count() == 0
    assert business.invoices.filter(issue_date__gte=today - dt.timedelta(days=31)).exists()


def test_demo_amount_due_matches_payments_and_credit_notes() -> None:
    business = load_demo(today=TODAY).business

    for invoice in business.invoices.all():
        assert invoice.amount_due == invoice.computed_amount_due(), invoice.number
        assert invoice.amount_due >= 0
        assert invoice.total_incl_tax == invoice.total_excl_tax + invoice.vat_amount
        assert invoice.due_date >= invoice.issue_date
    assert not Payment.objects.filter(date__gt=TODAY).exists()
    assert not CreditNote.objects.filter(date__gt=TODAY).exists()
    for payment in Payment.objects.select_related("invoice"):
        assert payment.invoice.issue_date <= payment.date


def test_demo_shows_partial_payments_credit_notes_cancellations_and_late_payers() -> None:
    business = load_demo(today=TODAY).business
    invoices = business.invoices.all()

    paid = [invoice for invoice in invoices if invoice.amount_due == 0]
    assert len(paid) > 200
    assert sum(1 for invoice in paid if invoice.payments.filter(date__gt=invoice.due_date).exists()) > 20
    assert invoices.annotate(n=Count("payments")).filter(n__gte=2).count() >= 5
    open_and_partly_paid = [i for i in invoices.open() if i.amount_due < i.total_incl_tax]
    assert len(open_and_partly_paid) >= 2
    assert invoices.filter(cancelled_at__isnull=False).count() == 2
    assert invoices.filter(disputed=True).count() == 1
    assert business.credit_notes.count() >= 3


def test_demo_yearly_cash_stays_below_the_vat_franchise_ceiling() -> None:
    load_demo(today=TODAY)

    for year in (TODAY.year - 1, TODAY.year):
        cashed = Payment.objects.filter(date__year=year).aggregate(total=Sum("amount"))["total"]
        assert Decimal("15000") < cashed < VAT_FRANCHISE_CEILING


def test_demo_audit_log_tells_the_story_on_its_dates() -> None:
    summary = load_demo(today=TODAY)

    events = AuditEvent.objects.filter(business=summary.business)
    assert events.filter(action="created", object_type="invoice").count() == 300
    assert events.filter(action="payment_recorded").count() == summary.payments
    assert events.filter(action="credit_note_recorded").count() == summary.credit_notes
    assert events.filter(action="cancelled").count() == 2
    assert events.filter(action="created", object_type="client").count() == 40
    oldest = events.order_by("created_at").first()
    assert oldest is not None
    assert oldest.created_at.date() < TODAY - dt.timedelta(days=600)
    invoice = Invoice.objects.order_by("issue_date").first()
    assert invoice is not None
    assert invoice.created_at.date() == invoice.issue_date


def test_demo_is_deterministic() -> None:
    first = load_demo(today=TODAY)
    numbers = list(first.business.invoices.order_by("number").values_list("number", "total_incl_tax", "amount_due"))
    remove_demo()
    second = load_demo(today=TODAY)

    assert second.business.pk != first.business.pk
    assert list(second.business.invoices.order_by("number").values_list("number", "total_incl_tax", "amount_due")) == (
        numbers
    )


def test_demo_user_logs_in_with_the_published_password() -> None:
    load_demo(today=TODAY)

    user = authenticate(email=DEMO_EMAIL, password=DEMO_PASSWORD)
    assert user is not None
    assert user.business is not None


def test_demo_refuses_to_load_twice() -> None:
    load_demo(today=TODAY)

    with pytest.raises(DemoAlreadyLoaded):
        load_demo(today=TODAY)
    with pytest.raises(CommandError, match="déjà chargée.*--reset"):
        call_command("demo")
    assert Business.objects.count() == 1


def test_demo_command_prints_the_login(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")

    out = capsys.readouterr().out
    assert "300 factures" in out
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in out


def test_demo_reset_replaces_the_demo_and_keeps_other_businesses(business: Business) -> None:
    other_invoice = make_invoice(business, make_client(business))
    call_command("demo")
    old = User.objects.get(email=DEMO_EMAIL)
    old_business_id = old.business_id

    call_command("demo", "--reset")

    new = User.objects.get(email=DEMO_EMAIL)
    assert new.pk != old.pk
    assert not Business.objects.filter(pk=old_business_id).exists()
    assert Business.objects.count() == 2
    assert Invoice.objects.filter(business=new.business).count() == 300
    assert Invoice.objects.filter(pk=other_invoice.pk).exists()


def test_demo_reset_also_removes_reminders_that_protect_invoices() -> None:
    from dunning.models import Reminder, ReminderInvoice

    summary = load_demo(today=TODAY)
    invoice = summary.business.invoices.late_on(TODAY).first()
    assert invoice is not None
    reminder = Reminder.objects.create(
        business=summary.business, client=invoice.client, level=1, subject="Rappel", body="Bonjour",
        status=Reminder.Status.SAVED, frozen_at=invoice.created_at,
    )  # fmt: skip
    ReminderInvoice.objects.create(reminder=reminder, invoice=invoice)

    remove_demo()

    assert not Business.objects.exists()
    assert not Reminder.objects.exists()


def test_demo_if_empty_loads_into_an_empty_database(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--if-empty")

    assert User.objects.filter(email=DEMO_EMAIL).exists()
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_demo_if_empty_leaves_a_used_database_alone(business: Business, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--if-empty")

    assert not User.objects.filter(email=DEMO_EMAIL).exists()
    assert Business.objects.count() == 1
    assert "déjà des données" in capsys.readouterr().out


def test_demo_reset_and_if_empty_cannot_be_combined() -> None:
    with pytest.raises(CommandError):
        call_command("demo", "--reset", "--if-empty")


def test_demo_history_has_frozen_reminders_dated_in_the_past_with_their_proof() -> None:
    summary = load_demo(today=TODAY)

    reminders = Reminder.objects.filter(business=summary.business)
    assert reminders.count() == summary.reminders > 10
    assert set(reminders.values_list("level", flat=True)) == {1, 2, 3}
    for reminder in reminders:
        assert reminder.status == Reminder.Status.SAVED
        assert reminder.frozen_at is not None and timezone.localdate(reminder.frozen_at) < TODAY
        assert reminder.pdf_sha256 and len(reminder.pdf_sha256) == 64
    notices = reminders.filter(level=3)
    assert all(notice.registered_number and notice.receipt_date for notice in notices)
