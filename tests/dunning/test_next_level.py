import pytest

from core.errors import Conflict
from dunning import services
from tests.factories import make_reminder


def test_drafts_do_not_count_for_the_next_level(business, owner, late_invoice):
    make_reminder(business, owner, status="draft", invoices=[late_invoice])
    assert services.next_level([late_invoice]) == 1


def test_saved_reminder_raises_the_next_level(late_invoice, business, owner):
    make_reminder(business, owner, status="saved", invoices=[late_invoice])
    assert services.next_level([late_invoice]) == 2


def test_sent_and_failed_reminders_count(late_invoice, business, owner):
    make_reminder(business, owner, status="sent", invoices=[late_invoice])
    make_reminder(business, owner, status="send_failed", invoices=[late_invoice])
    assert services.next_level([late_invoice]) == 3


def test_deactivated_reminders_still_count(owner, late_invoice, business):
    reminder = make_reminder(business, owner, status="sent", invoices=[late_invoice])
    services.deactivate_reminder(reminder=reminder, actor=owner)
    assert services.next_level([late_invoice]) == 2


def test_the_highest_level_among_the_invoices_wins(business, client_with_email, late_invoice, owner):
    from tests.factories import make_invoice

    other = make_invoice(business, client_with_email)
    make_reminder(business, owner, status="saved", invoices=[late_invoice])
    make_reminder(business, owner, status="saved", invoices=[late_invoice])
    assert services.next_level([late_invoice, other]) == 3
    assert services.next_level([other]) == 1


def test_a_reminder_after_a_formal_notice_needs_an_explicit_level(business, owner, late_invoice):
    make_reminder(business, owner, status="saved", invoices=[late_invoice], level=3)
    with pytest.raises(Conflict, match="mise en demeure"):
        services.next_level([late_invoice])
    with pytest.raises(Conflict):
        services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk], level=3)
    assert reminder.level == 3


def test_new_reminder_uses_the_next_level_template(business, owner, late_invoice):
    from dunning.defaults import default_template

    make_reminder(business, owner, status="sent", invoices=[late_invoice])
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    assert reminder.level == 2
    assert reminder.subject == default_template(2)["email_subject"]
