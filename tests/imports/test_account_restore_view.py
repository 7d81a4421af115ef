from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.models import Client, Invoice
from tests.factories import make_client
from tests.helpers import login_url
from tests.imports.accounts import account, archive

URL = reverse("imports:account_restore")


def test_an_empty_business_is_offered_the_upload(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert b'name="archive"' in response.content


def test_a_business_with_books_is_told_why_not(owner_client, business):
    make_client(business)
    response = owner_client.get(URL)
    assert b'name="archive"' not in response.content
    assert "un compte se restaure dans une entreprise vide" in response.content.decode()


def test_the_restore_redirects_to_the_invoices_with_the_counts(owner_client, business):
    response = owner_client.post(URL, {"archive": SimpleUploadedFile("export.zip", archive())}, follow=True)
    assert response.redirect_chain == [(reverse("ledger:invoice_list"), 302)]
    assert (
        "Compte restauré — clients : 2, factures : 4 (dont 1 avec PDF), règlements : 2, avoirs : 1."
        in response.content.decode()
    )
    assert Invoice.objects.filter(business=business).count() == 4


def test_a_refused_export_is_a_422_and_nothing_is_written(owner_client, business):
    data = account()
    data["payments"][1]["amount"] = "5000.00"
    response = owner_client.post(URL, {"archive": SimpleUploadedFile("export.zip", archive(data))})
    assert response.status_code == 422
    assert "règlement n° 2" in response.content.decode()
    assert not Client.objects.filter(business=business).exists()


def test_no_file_is_a_422(owner_client):
    response = owner_client.post(URL, {})
    assert response.status_code == 422
    assert "Choisissez le fichier ZIP" in response.content.decode()


def test_a_business_with_books_gets_a_409_on_post(owner_client, business):
    make_client(business)
    response = owner_client.post(URL, {"archive": SimpleUploadedFile("export.zip", archive())})
    assert response.status_code == 409
    assert Client.objects.filter(business=business).count() == 1


def test_an_anonymous_visitor_is_sent_to_log_in(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == 302 and response["Location"] == login_url(URL)


def test_other_methods_are_refused(owner_client):
    assert owner_client.delete(URL).status_code == 405


def test_the_outsider_restores_into_their_own_business_only(outsider_client, business, other_business):
    outsider_client.post(URL, {"archive": SimpleUploadedFile("export.zip", archive())})
    assert Invoice.objects.filter(business=other_business).count() == 4
    assert not Invoice.objects.filter(business=business).exists()
