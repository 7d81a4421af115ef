"""The "À valider" queue: its page, its services and its API, and the checks at the moment of sending."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from automation import services
from automation.models import AutoReminder
from automation.scheduler import PassReport, _make, due_steps
from core.errors import Conflict
from dunning.models import Reminder
from ledger import services as ledger_services
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient

pytestmark = pytest.mark.django_db


def test_approving_freezes_the_letter_through_dunning(awaiting: AutoReminder, owner: User) -> None:
    services.approve(auto_reminder=awaiting, actor=owner)
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.SAVED
    assert awaiting.reminder is not None
    assert awaiting.reminder.status == Reminder.Status.SAVED
    assert awaiting.reminder.level == 3
    assert awaiting.reminder.pdf_sha256
    with pytest.raises(Conflict):
        services.approve(auto_reminder=awaiting, actor=owner)


def test_dismissing_deletes_the_draft_and_the_step_stays_done(
    awaiting: AutoReminder, owner: User, pass_on: Callable[..., PassReport]
) -> None:
    draft_id = awaiting.reminder_id
    services.dismiss(auto_reminder=awaiting, actor=owner)
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.DISMISSED
    assert not Reminder.objects.filter(pk=draft_id).exists()
    assert pass_on(dt.date(2026, 11, 13)).created == 0


def test_an_invoice_paid_meanwhile_is_refused_at_approval(awaiting: AutoReminder, owner: User) -> None:
    invoice = Invoice.objects.get(number="F-050")
    ledger_services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 12), amount="1000.00")
    with pytest.raises(Exception, match="payée"):
        services.approve(auto_reminder=awaiting, actor=owner)
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.AWAITING_APPROVAL
    assert awaiting.reminder is not None and awaiting.reminder.is_draft


def test_a_client_paused_meanwhile_is_refused_at_approval(awaiting: AutoReminder, owner: User) -> None:
    ledger_services.update_client(
        client=awaiting.client, actor=owner, reminders_paused=True, pause_reason="Accord de paiement"
    )
    with pytest.raises(Exception, match="pause"):
        services.approve(auto_reminder=awaiting, actor=owner)


@pytest.mark.parametrize("change", ["paid", "cancelled", "disputed", "invoice paused", "client paused"])
def test_what_changes_after_planning_is_seen_at_the_moment_of_sending(
    automated: Business, owner: User, clock: Callable[..., None], change: str
) -> None:
    """The pass read the invoice as due; before its transaction sends, the invoice changed.
    Dunning's send, in the same transaction, re-reads it under its lock and nothing leaves."""
    client = make_client(automated, name="Durand")
    invoice = make_invoice(automated, client, issue_date=dt.date(2026, 9, 20), due_date=dt.date(2026, 10, 20))
    clock(dt.date(2026, 11, 2))
    dues = due_steps(automated, dt.date(2026, 11, 2))
    assert len(dues) == 1
    if change == "paid":
        ledger_services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 2), amount="1000.00")
    elif change == "cancelled":
        ledger_services.cancel_invoice(invoice=invoice, actor=owner, reason="Erreur de facturation")
    elif change == "disputed":
        Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason="Livraison incomplète")
    elif change == "invoice paused":
        Invoice.objects.filter(pk=invoice.pk).update(reminders_paused_until=dt.date(2026, 11, 30))
    else:
        Client.objects.filter(pk=client.pk).update(reminders_paused=True, pause_reason="Accord")
    report = PassReport()
    _make(automated, client.pk, dues, dt.date(2026, 11, 2), report)
    assert report.held == 1
    assert not AutoReminder.objects.exists()
    assert not Reminder.objects.exists()
    assert mail.outbox == []


# The page


def test_the_page_lists_what_waits_with_a_preview_link(awaiting: AutoReminder, owner_client: HttpClient) -> None:
    page = owner_client.get(reverse("automation:approvals"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Durand SARL" in html
    assert "F-050" in html
    assert "Mise en demeure" in html
    assert reverse("dunning:reminder_detail", args=[awaiting.reminder_id]) in html
    # The navigation's badge counts it.
    assert 'nav-count">1<' in html


def test_approve_and_dismiss_one_by_one_from_the_page(awaiting: AutoReminder, owner_client: HttpClient) -> None:
    answer = owner_client.post(reverse("automation:approve", args=[awaiting.pk]))
    assert answer.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.SAVED
    again = owner_client.post(reverse("automation:dismiss", args=[awaiting.pk]), follow=True)
    assert "n’attend plus de validation" in again.content.decode()


def test_bulk_decisions_from_the_page(
    automated: Business, owner_client: HttpClient, pass_on: Callable[..., PassReport]
) -> None:
    for name in ["Un", "Deux", "Trois"]:
        client = make_client(automated, name=name)
        make_invoice(automated, client, issue_date=dt.date(2026, 8, 24), due_date=dt.date(2026, 9, 23))
    pass_on(dt.date(2026, 11, 12))
    first, second, third = AutoReminder.objects.order_by("client__name")
    page = owner_client.post(
        reverse("automation:decide_selected"), {"selected": [first.pk, second.pk], "decision": "dismiss"}, follow=True
    )
    assert "Relance(s) écartée(s) : 2." in page.content.decode()
    assert 'nav-count">1<' in page.content.decode()
    assert AutoReminder.objects.filter(status=AutoReminder.Status.DISMISSED).count() == 2
    owner_client.post(reverse("automation:decide_selected"), {"selected": [third.pk], "decision": "approve"})
    third.refresh_from_db()
    assert third.status == AutoReminder.Status.SAVED


def test_another_business_gets_404(
    awaiting: AutoReminder, outsider_client: HttpClient, outsider_api: ApiClient
) -> None:
    assert outsider_client.post(reverse("automation:approve", args=[awaiting.pk])).status_code == 404
    assert outsider_client.post(reverse("automation:dismiss", args=[awaiting.pk])).status_code == 404
    outsider_client.post(reverse("automation:decide_selected"), {"selected": [awaiting.pk], "decision": "approve"})
    assert outsider_api.post(f"/approvals/{awaiting.pk}/approve").status_code == 404
    assert outsider_api.post(f"/approvals/{awaiting.pk}/dismiss").status_code == 404
    assert outsider_api.get("/approvals").json() == {"items": [], "count": 0}
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.AWAITING_APPROVAL


def test_the_badge_costs_one_query_whatever_the_queue(
    automated: Business, owner_client: HttpClient, pass_on: Callable[..., PassReport], django_assert_num_queries: Any
) -> None:
    from automation.queries import awaiting_count

    for _n in range(3):
        make_invoice(automated, make_client(automated), issue_date=dt.date(2026, 8, 24), due_date=dt.date(2026, 9, 23))
    pass_on(dt.date(2026, 11, 12))
    with django_assert_num_queries(1):
        assert awaiting_count(automated.pk) == 3


# The API


def test_api_lists_approves_and_dismisses(
    automated: Business, api: ApiClient, pass_on: Callable[..., PassReport]
) -> None:
    for name in ["Un", "Deux"]:
        client = make_client(automated, name=name)
        make_invoice(
            automated, client, number=f"F-{name}", issue_date=dt.date(2026, 8, 24), due_date=dt.date(2026, 9, 23)
        )
    pass_on(dt.date(2026, 11, 12))
    listed = api.get("/approvals").json()
    assert listed["count"] == 2
    first, second = listed["items"]
    assert first["status"] == "awaiting_approval"
    assert first["level"] == 3 and first["channel"] == "letter"
    assert first["invoices"][0]["number"] in {"F-Un", "F-Deux"}
    assert first["reminder_id"] == Reminder.objects.get(pk=first["reminder_id"]).pk
    approved = api.post(f"/approvals/{first['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "saved"
    dismissed = api.post(f"/approvals/{second['id']}/dismiss")
    assert dismissed.json()["status"] == "dismissed"
    assert api.post(f"/approvals/{second['id']}/approve").status_code == 409
    assert api.get("/approvals").json() == {"items": [], "count": 0}


def test_a_reminder_whose_invoices_were_all_paid_leaves_the_queue(
    awaiting: AutoReminder, owner: User, pass_on: Callable[..., PassReport]
) -> None:
    draft_id = awaiting.reminder_id
    invoice = Invoice.objects.get(number="F-050")
    ledger_services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 12), amount="600.00")
    pass_on(dt.date(2026, 11, 13))
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.AWAITING_APPROVAL  # 400.00 still due
    ledger_services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 13), amount="400.00")
    pass_on(dt.date(2026, 11, 13), dt.time(11, 0))
    awaiting.refresh_from_db()
    assert awaiting.status == AutoReminder.Status.WITHDRAWN
    assert not Reminder.objects.filter(pk=draft_id).exists()


def warn_of_a_transfer(reminder: Reminder) -> list[Any]:
    """A stand-in for the bank's warning: a statement line that may pay the invoice."""
    from dunning.send_warnings import SendWarning

    return [SendWarning(text="Un virement du 30/10 de 1 000,00 € pourrait régler cette facture.")]


def test_a_warning_before_sending_puts_the_reminder_in_the_queue(
    automated: Business, settings: Any, pass_on: Callable[..., PassReport], owner_client: HttpClient
) -> None:
    settings.REMINDER_SUMMARY_WARNINGS = ["tests.automation.test_approvals.warn_of_a_transfer"]
    make_invoice(
        automated,
        make_client(automated, name="Durand"),
        issue_date=dt.date(2026, 9, 20),
        due_date=dt.date(2026, 10, 20),
    )
    pass_on(dt.date(2026, 11, 2))
    auto = AutoReminder.objects.get()
    assert auto.status == AutoReminder.Status.AWAITING_APPROVAL
    assert auto.reminder is not None and auto.reminder.is_draft
    assert mail.outbox == []
    assert "pourrait régler cette facture" in owner_client.get(reverse("automation:approvals")).content.decode()
