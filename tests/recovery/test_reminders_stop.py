"""An invoice in an open collection case leaves the reminder flow: no reminder is created, saved
or sent for it (services, pages, API), and the lists show where it went instead."""

import pytest
from django.urls import reverse

from core.errors import Conflict
from dunning import services as dunning_services
from dunning.models import Reminder
from recovery import services
from recovery.models import CollectionCase
from tests.factories import make_reminder

pytestmark = pytest.mark.usefixtures("frozen_today")

REFUSED = (
    "La facture n° {number} est en recouvrement : aucune relance ne peut être créée ni envoyée pour elle "
    "tant que son dossier de recouvrement est ouvert."
)


def put_in_collection(invoice, owner) -> CollectionCase:
    return services.open_case(
        business=invoice.business, actor=owner, invoice_ids=[invoice.pk], agency=None, transmitted_on=invoice.due_date
    )


def test_no_reminder_is_created_for_an_invoice_in_collection(business, owner, late_invoice):
    put_in_collection(late_invoice, owner)
    with pytest.raises(Conflict) as refused:
        dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk])
    assert str(refused.value) == REFUSED.format(number=late_invoice.number)
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("how", ["save", "send"])
def test_a_draft_written_before_is_neither_saved_nor_sent(owner, late_invoice, draft, how):
    put_in_collection(late_invoice, owner)
    freeze = dunning_services.save_reminder if how == "save" else dunning_services.send_reminder
    with pytest.raises(Conflict) as refused:
        freeze(reminder=draft, actor=owner)
    assert str(refused.value) == REFUSED.format(number=late_invoice.number)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_failed_send_is_not_retried(business, owner, late_invoice):
    failed = make_reminder(business, owner, invoices=[late_invoice], status=Reminder.Status.SEND_FAILED)
    put_in_collection(late_invoice, owner)
    with pytest.raises(Conflict):
        dunning_services.retry_send(reminder=failed, actor=owner)
    failed.refresh_from_db()
    assert failed.status == Reminder.Status.SEND_FAILED


def test_reminders_resume_once_the_case_is_over(business, owner, late_invoice, frozen_today):
    case = put_in_collection(late_invoice, owner)
    services.add_event(case=case, actor=owner, status="failed", date=frozen_today)
    assert dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[late_invoice.pk]).is_draft


def test_api_answers_409(api, owner, late_invoice, draft):
    put_in_collection(late_invoice, owner)
    created = api.post("/reminders", {"invoice_ids": [late_invoice.pk]})
    assert created.status_code == 409
    assert created.json() == {"detail": REFUSED.format(number=late_invoice.number)}
    assert api.post(f"/reminders/{draft.pk}/send").status_code == 409
    assert api.post(f"/reminders/{draft.pk}/save").status_code == 409


def test_page_refuses_with_the_message_and_lists_link_the_case(owner_client, owner, late_invoice):
    case = put_in_collection(late_invoice, owner)
    bucket = reverse("pages:late_bucket", args=["31-60"])
    response = owner_client.post(
        reverse("dunning:reminder_create"),
        {"invoice_ids": [late_invoice.pk]},
        headers={"referer": "http://testserver" + bucket},
        follow=True,
    )
    content = response.content.decode()
    assert REFUSED.format(number=late_invoice.number) in content
    assert not Reminder.objects.exists()
    # The listing shows the badge where the "Relancer" button was, and it leads to the case.
    link = reverse("recovery:invoice_case", args=[late_invoice.pk])
    assert f'href="{link}" class="badge badge-warn">En recouvrement</a>' in content
    assert owner_client.get(link)["Location"] == reverse("recovery:case_detail", args=[case.pk])
    invoice_page = owner_client.get(reverse("pages:invoice_detail", args=[late_invoice.pk])).content.decode()
    assert "En recouvrement depuis le" in invoice_page and link in invoice_page
    assert reverse("recovery:case_new") + f"?invoice_ids={late_invoice.pk}" not in invoice_page


def test_invoice_without_open_case_has_no_case_link(owner_client, late_invoice):
    assert owner_client.get(reverse("recovery:invoice_case", args=[late_invoice.pk])).status_code == 404
