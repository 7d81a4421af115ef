from django.urls import reverse

from dunning.models import Reminder
from tests.factories import make_invoice

URL = reverse("dunning:reminder_create")


def test_relancer_creates_a_draft_and_opens_the_editor(owner_client, late_invoice):
    response = owner_client.post(URL, {"invoice_ids": [late_invoice.pk]})
    reminder = Reminder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dunning:reminder_edit", args=[reminder.pk])
    assert reminder.is_draft and reminder.level == 1


def test_selection_across_clients_goes_back_with_a_french_message(owner_client, business):
    first, second = make_invoice(business), make_invoice(business)
    referer = "http://testserver" + reverse("pages:late_bucket", args=["1-30"])
    response = owner_client.post(URL, {"invoice_ids": [first.pk, second.pk]}, headers={"referer": referer}, follow=True)
    assert response.redirect_chain[0] == (referer, 302)
    assert "Une relance concerne un seul client" in response.content.decode()
    assert not Reminder.objects.exists()


def test_foreign_referer_is_not_followed(owner_client):
    response = owner_client.post(URL, {"invoice_ids": []}, headers={"referer": "https://evil.example/"})
    assert response["Location"] == reverse("pages:late_payments")


def test_another_business_invoice_is_404(outsider_client, late_invoice):
    assert outsider_client.post(URL, {"invoice_ids": [late_invoice.pk]}).status_code == 404
    assert not Reminder.objects.exists()


def test_create_only_by_post(owner_client):
    assert owner_client.get(URL).status_code == 405


def test_anonymous_is_sent_to_login(anonymous_client, late_invoice):
    response = anonymous_client.post(URL, {"invoice_ids": [late_invoice.pk]})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
