import hashlib

import pytest
from django.utils import timezone

from dunning import services
from dunning.models import Reminder
from tests.factories import make_client, make_invoice, make_reminder
from tests.helpers import ApiClient

BASE = "/reminders"


def test_create_returns_a_draft(api, late_invoice):
    response = api.post(BASE, {"invoice_ids": [late_invoice.pk]})
    assert response.status_code == 201
    body = response.json()
    reminder = Reminder.objects.get()
    assert body["id"] == reminder.pk
    assert body["status"] == "draft" and body["level"] == 1 and body["channel"] == "email"
    assert body["client_id"] == late_invoice.client_id
    assert body["invoice_ids"] == [late_invoice.pk]
    assert body["subject"] == reminder.subject and "{" in body["body"]
    assert body["reference"] == "" and body["deactivated"] is False


def test_create_with_level_and_channel(api, late_invoice):
    body = api.post(BASE, {"invoice_ids": [late_invoice.pk], "level": 2, "channel": "letter"}).json()
    assert (body["level"], body["channel"]) == (2, "letter")


def test_create_errors(api, business, other_business, late_invoice):
    two_clients = api.post(BASE, {"invoice_ids": [late_invoice.pk, make_invoice(business).pk]})
    assert two_clients.status_code == 422
    assert two_clients.json()["detail"][0]["loc"] == ["body", "invoice_ids"]
    assert "un seul client" in two_clients.json()["detail"][0]["msg"]
    assert api.post(BASE, {"invoice_ids": []}).status_code == 422
    bad_channel = api.post(BASE, {"invoice_ids": [late_invoice.pk], "channel": "fax"})
    assert bad_channel.status_code == 422
    assert api.post(BASE, {"invoice_ids": [make_invoice(other_business).pk]}).status_code == 404
    assert not Reminder.objects.exists()


def test_create_after_a_formal_notice_is_a_conflict(api, late_invoice, business, owner):
    make_reminder(business, owner, invoices=[late_invoice], level=3)
    response = api.post(BASE, {"invoice_ids": [late_invoice.pk]})
    assert response.status_code == 409
    assert "mise en demeure" in response.json()["detail"]


def test_patch_a_draft(api, draft):
    response = api.patch(
        f"{BASE}/{draft.pk}",
        {"subject": "Objet {facture_numero}", "include_penalties": True},
    )
    assert response.status_code == 200
    assert response.json()["subject"] == "Objet {facture_numero}"
    assert response.json()["include_penalties"] is True


def test_patch_unknown_placeholder_is_422_at_the_field(api, draft):
    response = api.patch(f"{BASE}/{draft.pk}", {"body": "{oops}"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert "{oops}" in response.json()["detail"][0]["msg"]


def test_patch_channel_then_texts_apply_to_the_new_channel(api, draft):
    response = api.patch(f"{BASE}/{draft.pk}", {"channel": "letter", "body": "Courrier {montant_du}"})
    body = response.json()
    assert body["channel"] == "letter" and body["body"] == "Courrier {montant_du}" and body["letter_body"] == ""


@pytest.mark.parametrize("status", ["saved", "sent", "send_failed", "sending"])
def test_frozen_reminder_cannot_be_patched_nor_deleted(api, business, owner, status):
    reminder = make_reminder(business, owner, status=status)
    assert api.patch(f"{BASE}/{reminder.pk}", {"subject": "x"}).status_code == 409
    assert api.delete(f"{BASE}/{reminder.pk}").status_code == 409
    assert Reminder.objects.filter(pk=reminder.pk).exists()


def test_delete_a_draft(api, draft):
    assert api.delete(f"{BASE}/{draft.pk}").status_code == 204
    assert not Reminder.objects.exists()


def test_save_then_read_with_its_proof(api, draft):
    saved = api.post(f"{BASE}/{draft.pk}/save")
    assert saved.status_code == 200
    body = api.get(f"{BASE}/{draft.pk}").json()
    assert body["status"] == "saved" and body["frozen_at"] and body["reference"].startswith("R-")
    assert len(body["pdf_sha256"]) == 64 and body["total_due"] == "1200.00"
    pdf = api.get(f"{BASE}/{draft.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == body["pdf_sha256"]
    assert api.post(f"{BASE}/{draft.pk}/save").status_code == 409


def test_draft_pdf_is_rendered_on_the_fly(api, draft):
    response = api.get(f"{BASE}/{draft.pk}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_send(api, draft, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/{draft.pk}/send")
    assert response.status_code == 200
    assert response.json()["message_id"] and response.json()["recipient_email"] == "compta@client.fr"
    assert api.get(f"{BASE}/{draft.pk}").json()["status"] == "sent"
    assert len(mailoutbox) == 1
    assert api.post(f"{BASE}/{draft.pk}/send").status_code == 409
    assert api.post(f"{BASE}/{draft.pk}/retry").status_code == 409


def test_send_without_email_is_422(api, business, owner):
    invoice = make_invoice(business, make_client(business, email=""))
    reminder = services.create_reminder(business=business, actor=owner, invoice_ids=[invoice.pk])
    response = api.post(f"{BASE}/{reminder.pk}/send")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Ce client n’a pas d’adresse e-mail : enregistrez la relance pour l’imprimer."
    )


def test_deactivate_and_reactivate(api, business, owner, draft):
    reminder = make_reminder(business, owner)
    assert api.post(f"{BASE}/{reminder.pk}/deactivate").json()["deactivated"] is True
    assert api.post(f"{BASE}/{reminder.pk}/deactivate").status_code == 409
    assert api.post(f"{BASE}/{reminder.pk}/reactivate").json()["deactivated"] is False
    assert api.post(f"{BASE}/{draft.pk}/deactivate").status_code == 409


def test_registered_letter(api, business, owner):
    reminder = make_reminder(business, owner, level=3)
    response = api.post(f"{BASE}/{reminder.pk}/registered-letter", {"number": "1A123"})
    assert response.status_code == 200 and response.json()["registered_number"] == "1A123"
    other = make_reminder(business, owner, level=1)
    assert api.post(f"{BASE}/{other.pk}/registered-letter", {"number": "1A123"}).status_code == 409


def test_list_filters(api, owner, client_with_email, business):
    first = make_reminder(business, owner, invoices=[make_invoice(business, client_with_email)], level=1)
    second = make_reminder(business, owner, level=2)
    make_reminder(business, owner, status="draft")
    services.deactivate_reminder(reminder=second, actor=owner)

    def ids(**params):
        return [item["id"] for item in api.get(BASE, params).json()["items"]]

    assert ids() == [first.pk]
    assert set(ids(include_inactive=True)) == {first.pk, second.pk}
    assert ids(include_inactive=True, level=2) == [second.pk]
    assert ids(client_id=client_with_email.pk) == [first.pk]
    day = timezone.localdate(first.frozen_at).isoformat()
    assert ids(sent_from=day, sent_to=day) == [first.pk]
    assert ids(sent_from="2099-01-01") == []
    assert len(ids(status="draft")) == 1
    assert api.get(BASE, {"sent_from": "hier"}).status_code == 422


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_constant(api, business, owner, django_assert_max_num_queries, count):
    for _ in range(count):
        make_reminder(business, owner)
    with django_assert_max_num_queries(6):
        body = api.get(BASE, {"limit": 50}).json()
    assert body["count"] == count and len(body["items"]) == count


def test_another_business_reminders_are_404(outsider_api, draft, business, owner):
    frozen = make_reminder(business, owner)
    for reminder in (draft, frozen):
        assert outsider_api.get(f"{BASE}/{reminder.pk}").status_code == 404
        assert outsider_api.get(f"{BASE}/{reminder.pk}/pdf").status_code == 404
        assert outsider_api.patch(f"{BASE}/{reminder.pk}", {"subject": "x"}).status_code == 404
        assert outsider_api.delete(f"{BASE}/{reminder.pk}").status_code == 404
        for action in ["save", "send", "retry", "deactivate", "reactivate"]:
            assert outsider_api.post(f"{BASE}/{reminder.pk}/{action}").status_code == 404
    assert outsider_api.get(BASE).json()["count"] == 0


def test_token_is_required(draft):
    assert ApiClient(None).get(BASE).status_code == 401
    assert ApiClient(None).post(BASE, {}).status_code == 401


def test_wrong_method_is_405(api, draft):
    assert api.put(f"{BASE}/{draft.pk}", {}).status_code == 405
    assert api.get(f"{BASE}/{draft.pk}/save").status_code == 405


def test_openapi_documents_the_reminder_routes(anonymous_client):
    paths = anonymous_client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/reminders",
        "/api/v1/reminders/{id}",
        "/api/v1/reminders/{id}/save",
        "/api/v1/reminders/{id}/send",
        "/api/v1/reminders/{id}/deactivate",
        "/api/v1/reminders/{id}/reactivate",
        "/api/v1/reminders/{id}/pdf",
    ]:
        assert path in paths
    assert "application/pdf" in paths["/api/v1/reminders/{id}/pdf"]["get"]["responses"]["200"]["content"]
