from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.models import Invoice
from tests.helpers import login_url
from tests.imports.einvoices import Sample, cii, facturx_pdf, ubl, zip_of

URL = reverse("imports:einvoice_import")


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_the_page_offers_the_upload(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert b'name="files"' in response.content and b"multiple" in response.content


def test_the_invoice_list_links_to_the_page(owner_client):
    assert URL.encode() in owner_client.get(reverse("ledger:invoice_list")).content


def test_an_anonymous_visitor_is_sent_to_log_in(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == 302 and response["Location"] == login_url(URL)


def test_other_methods_are_refused(owner_client):
    assert owner_client.put(URL).status_code == 405


def test_no_file_is_a_422_with_a_message(owner_client):
    response = owner_client.post(URL, {})
    assert response.status_code == 422
    assert "Choisissez au moins un fichier." in response.content.decode()


def test_several_files_and_a_zip_give_a_report_per_file(owner_client, business):
    files = [
        upload("F-1.pdf", facturx_pdf(Sample(number="F-1"))),
        upload(
            "lot.zip",
            zip_of(
                {"F-2.xml": ubl(Sample(number="F-2")), "F-3.xml": cii(Sample(number="F-3", seller_siren="552100554"))}
            ),
        ),
    ]
    response = owner_client.post(URL, {"files": files})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 factures créées" in page and "1 fichier refusé" in page
    assert "n’est pas votre entreprise" in page
    created = Invoice.objects.filter(business=business).order_by("number")
    assert [invoice.number for invoice in created] == ["F-1", "F-2"]
    for invoice in created:
        assert reverse("pages:invoice_detail", args=[invoice.pk]) in page


def test_only_refusals_answer_422(owner_client):
    response = owner_client.post(URL, {"files": [upload("x.txt", b"bonjour")]})
    assert response.status_code == 422
    assert "Format non reconnu" in response.content.decode()


def test_the_outsider_imports_into_their_own_business(outsider_client, business, other_business):
    other_business.siret = "55210055400013"
    other_business.save()
    response = outsider_client.post(URL, {"files": [upload("f.xml", ubl(Sample(seller_siren="552100554")))]})
    assert response.status_code == 200
    assert Invoice.objects.get().business == other_business
    assert not Invoice.objects.filter(business=business).exists()
