"""/api/v1/agencies and /api/v1/collection-cases, over the same services as the pages."""

import datetime as dt
import io
import zipfile

import pytest

from ledger.models import Invoice
from recovery.models import Agency, CollectionCase
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def agency_id(api) -> int:
    response = api.post("/agencies", {"name": "Recouvr’Express", "commission_rate": "15", "email": "a@b.fr"})
    assert response.status_code == 201
    return int(response.json()["id"])


def test_agency_crud(api, agency_id):
    assert api.get(f"/agencies/{agency_id}").json()["commission_rate"] == "15.00"
    listed = api.get("/agencies").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Recouvr’Express"
    patched = api.patch(f"/agencies/{agency_id}", {"phone": "01 02 03 04 05"})
    assert patched.status_code == 200 and patched.json()["phone"] == "01 02 03 04 05"
    too_high = api.patch(f"/agencies/{agency_id}", {"commission_rate": "101"})
    assert too_high.status_code == 422 and too_high.json()["detail"][0]["loc"] == ["body", "commission_rate"]
    assert api.post("/agencies", {"name": ""}).status_code == 422
    assert api.delete(f"/agencies/{agency_id}").status_code == 204
    assert not Agency.objects.exists()


def test_case_lifecycle_through_the_api(api, agency_id, late_invoice):
    created = api.post(
        "/collection-cases", {"invoice_ids": [late_invoice.pk], "agency_id": agency_id, "documents": "Facture"}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["agency_name"], body["claimed"], body["outstanding"]) == (
        "transmitted",
        "Recouvr’Express",
        "1200.00",
        "1200.00",
    )
    assert body["invoices"] == [
        {
            "invoice_id": late_invoice.pk,
            "number": late_invoice.number,
            "amount_claimed": "1200.00",
            "amount_due": "1200.00",
        }
    ]
    assert body["limitation_deadline"] == "2031-10-01"
    case_id = body["id"]
    step = api.post(f"/collection-cases/{case_id}/events", {"status": "partially_recovered", "amount": "300.00"})
    assert step.status_code == 201
    figures = step.json()
    assert (figures["recovered"], figures["outstanding"], figures["commission"]) == ("300.00", "900.00", "45.00")
    assert [event["status"] for event in figures["events"]] == ["transmitted", "partially_recovered"]
    refused = api.post(f"/collection-cases/{case_id}/events", {"status": "recovered"})
    assert refused.status_code == 409 and "recouvrée" in refused.json()["detail"]
    done = api.post(f"/collection-cases/{case_id}/events", {"status": "recovered", "amount": "900.00"})
    assert done.status_code == 201 and done.json()["outstanding"] == "0.00"
    assert Invoice.objects.get(pk=late_invoice.pk).amount_due == 0
    listed = api.get("/collection-cases", {"status": "recovered"}).json()
    assert listed["count"] == 1 and listed["items"][0]["recovered"] == "1200.00"
    assert api.get("/collection-cases", {"status": "transmitted"}).json()["count"] == 0
    assert api.delete(f"/agencies/{agency_id}").status_code == 409


def test_split_and_idempotency_key(api, business, late_invoice):
    other = make_invoice(business, late_invoice.client, amount="100.00", issue_date=dt.date(2026, 8, 1))
    case_id = api.post("/collection-cases", {"invoice_ids": [late_invoice.pk, other.pk]}).json()["id"]
    step = {
        "status": "partially_recovered",
        "amount": "50.00",
        "allocations": {str(late_invoice.pk): "50.00"},
        "key": "v1",
    }
    assert api.post(f"/collection-cases/{case_id}/events", step).status_code == 201
    assert api.post(f"/collection-cases/{case_id}/events", step).status_code == 201
    assert Invoice.objects.get(pk=late_invoice.pk).amount_due == 1150
    assert Invoice.objects.get(pk=other.pk).amount_due == 100


def test_case_input_errors(api, business, other_business, late_invoice):
    mixed = api.post(
        "/collection-cases", {"invoice_ids": [late_invoice.pk, make_invoice(business, make_client(business)).pk]}
    )
    assert mixed.status_code == 422 and mixed.json()["detail"][0]["loc"] == ["body", "invoice_ids"]
    foreign_agency = Agency.objects.create(business=other_business, name="Ailleurs")
    wrong = api.post("/collection-cases", {"invoice_ids": [late_invoice.pk], "agency_id": foreign_agency.pk})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "agency_id"]
    assert api.post("/collection-cases", {"invoice_ids": [make_invoice(other_business).pk]}).status_code == 404
    assert not CollectionCase.objects.exists()


def test_evidence_zip(api, late_invoice, media_root):
    case_id = api.post("/collection-cases", {"invoice_ids": [late_invoice.pk]}).json()["id"]
    response = api.get(f"/collection-cases/{case_id}/evidence.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "recapitulatif-creance.pdf" in archive.namelist() and "manifeste.csv" in archive.namelist()


def test_another_business_gets_404_on_every_operation(api, outsider_api, agency_id, late_invoice):
    case_id = api.post("/collection-cases", {"invoice_ids": [late_invoice.pk], "agency_id": agency_id}).json()["id"]
    assert outsider_api.get(f"/agencies/{agency_id}").status_code == 404
    assert outsider_api.patch(f"/agencies/{agency_id}", {"name": "Pirate"}).status_code == 404
    assert outsider_api.delete(f"/agencies/{agency_id}").status_code == 404
    assert outsider_api.get(f"/collection-cases/{case_id}").status_code == 404
    assert outsider_api.post(f"/collection-cases/{case_id}/events", {"status": "closed"}).status_code == 404
    assert outsider_api.get(f"/collection-cases/{case_id}/evidence.zip").status_code == 404
    assert outsider_api.post("/collection-cases", {"invoice_ids": [late_invoice.pk]}).status_code == 404
    assert outsider_api.get("/collection-cases").json()["count"] == 0
    assert outsider_api.get("/agencies").json()["count"] == 0
    assert CollectionCase.objects.get().status == "transmitted"
    assert Agency.objects.get().name == "Recouvr’Express"


@pytest.mark.parametrize("count", [2, 8])
def test_list_query_count_is_constant(api, business, owner, django_assert_max_num_queries, count):
    for _ in range(count):
        invoice = make_invoice(business, make_client(business))
        api.post("/collection-cases", {"invoice_ids": [invoice.pk]})
    with django_assert_max_num_queries(6):
        body = api.get("/collection-cases").json()
    assert body["count"] == count
