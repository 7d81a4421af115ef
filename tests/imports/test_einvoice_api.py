from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import Invoice
from tests.imports.einvoices import Sample, cii, facturx_pdf, ubl, zip_of


def post(api, content, name="facture.xml"):
    return api.http.post("/api/v1/imports/einvoice", {"file": SimpleUploadedFile(name, content)})


def test_a_facturx_pdf_answers_201_with_the_invoice(api):
    response = post(api, facturx_pdf(Sample(number="API-1")), "API-1.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "API-1"
    assert body["client_name"] == "Boulangerie Dupain SARL"
    assert (body["total_incl_tax"], body["amount_due"], body["due_date"]) == ("1000.00", "1000.00", "2026-10-01")
    assert Invoice.objects.get(pk=body["id"]).pdf


def test_the_same_file_again_answers_200_unchanged(api):
    post(api, ubl(Sample(number="API-2")))
    response = post(api, ubl(Sample(number="API-2")))
    assert response.status_code == 200
    assert response.json()["number"] == "API-2"
    assert Invoice.objects.count() == 1


def test_another_content_for_a_stored_number_answers_409(api):
    post(api, ubl(Sample(number="API-3")))
    response = post(api, ubl(Sample(number="API-3", excl="999.00")))
    assert response.status_code == 409
    assert "contenu différent" in response.json()["detail"]
    assert Invoice.objects.get().total_incl_tax == Decimal("1000.00")


def test_a_refused_file_answers_422_at_the_file(api):
    response = post(api, cii(Sample(seller_siren="552100554")))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"]
    assert "n’est pas votre entreprise" in error["msg"]


def test_a_missing_file_answers_422_in_french(api):
    response = api.http.post("/api/v1/imports/einvoice", {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Champ obligatoire."


def test_a_zip_is_for_the_page(api):
    response = post(api, zip_of({"a.xml": ubl(Sample())}), "lot.zip")
    assert response.status_code == 422
    assert "depuis la page" in response.json()["detail"][0]["msg"]


def test_an_outsider_imports_into_their_own_business_only(api, outsider_api, business, other_business):
    other_business.siret = "55210055400013"
    other_business.save()
    post(api, ubl(Sample(number="API-4")))
    response = post(outsider_api, ubl(Sample(number="API-4")))
    # The outsider's business is not the seller of the owner's invoice.
    assert response.status_code == 422
    assert Invoice.objects.filter(business=other_business).count() == 0


def test_without_a_token_the_import_is_refused(anonymous_client):
    response = anonymous_client.post("/api/v1/imports/einvoice", {"file": SimpleUploadedFile("f.xml", b"<a/>")})
    assert response.status_code == 401


def test_a_file_over_5_mo_is_refused_before_parsing(api):
    response = post(api, b"<" + b" " * (5 * 1024 * 1024 + 10), "grand.xml")
    assert response.status_code == 422
    assert "dépasse 5 Mo" in response.json()["detail"][0]["msg"]


def test_the_route_is_documented_as_multipart(api):
    document = api.http.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/imports/einvoice"]["post"]
    assert operation["operationId"] == "importEInvoice"
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "201", "409", "422"} <= set(operation["responses"])
