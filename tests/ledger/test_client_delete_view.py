from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger.models import Client
from tests.factories import make_client, make_invoice
from tests.helpers import login_url


def url(pk: int) -> str:
    return reverse("ledger:client_delete", args=[pk])


def test_anonymous_is_sent_to_login(business: Business) -> None:
    client = make_client(business)
    response = HttpClient().post(url(client.pk))
    assert response.status_code == 302 and response.url == login_url(url(client.pk))
    assert Client.objects.filter(pk=client.pk).exists()


def test_get_is_405(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business)
    assert owner_client.get(url(client.pk)).status_code == 405
    assert Client.objects.filter(pk=client.pk).exists()


def test_outsider_gets_404(outsider_client: HttpClient, business: Business) -> None:
    client = make_client(business)
    assert outsider_client.post(url(client.pk)).status_code == 404
    assert Client.objects.filter(pk=client.pk).exists()


def test_client_without_invoices_is_deleted_and_logged(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business, name="Éphémère")
    response = owner_client.post(url(client.pk), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ledger:client_list")
    assert "Client « Éphémère » supprimé." in response.text
    assert not Client.objects.filter(pk=client.pk).exists()
    assert AuditEvent.objects.filter(action="deleted", object_type="client", object_id=client.pk).exists()


def test_client_with_invoices_is_kept_with_a_french_message(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business)
    make_invoice(business, client)
    response = owner_client.post(url(client.pk), follow=True)
    assert "Ce client a des factures : il ne peut pas être supprimé." in response.text
    assert Client.objects.filter(pk=client.pk).exists()
