"""The bank statement routes: import (multipart), match, ignore; another business gets 404."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bank.models import BankLine
from ledger.models import Payment
from tests.bank import statements
from tests.factories import make_client, make_invoice
from tests.helpers import errors_at

pytestmark = pytest.mark.usefixtures("frozen_today")

DAY = dt.date(2026, 11, 12)


@pytest.fixture
def invoices(business):
    acme = make_client(business, name="ACME SARL")
    return [
        make_invoice(business, acme, amount="1200.00", number="2024-031"),
        make_invoice(business, acme, amount="300.00", number="2024-032"),
    ]


def post_file(api, data: bytes, name: str = "releve.xml"):
    return api.http.post("/api/v1/bank-statements", {"file": SimpleUploadedFile(name, data)})


def test_import_answers_the_lines_with_their_proposals(api, invoices):
    data = statements.camt053(
        [(DAY, "1200.00", "VIR ACME FACT 2024-031"), (DAY, "9.99", "INTERETS"), (DAY, "-5.00", "FRAIS")]
    )
    response = post_file(api, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["already_imported"]) == (2, False)
    assert body["statement"]["format"] == "camt053"
    assert (body["statement"]["credit_count"], body["statement"]["debit_count"]) == (2, 1)
    first, second = body["lines"]
    assert (first["amount"], first["status"]) == ("1200.00", "open")
    assert first["proposal"]["confidence"] == "sure"
    assert first["proposal"]["allocations"] == [
        {"invoice_id": invoices[0].pk, "invoice_number": "2024-031", "client_name": "ACME SARL", "amount": "1200.00"}
    ]
    assert second["proposal"] is None
    again = post_file(api, data)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["already_imported"]) == (0, True)
    assert [line["id"] for line in again.json()["lines"]] == [first["id"], second["id"]]


def test_a_hostile_file_is_refused_at_the_file_field(api):
    data = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document>&e;</Document>'
    assert errors_at(post_file(api, data), "file") == [
        "Ce fichier contient une déclaration DOCTYPE ou ENTITY : il est refusé par sécurité."
    ]


def test_matching_a_line_to_two_invoices_with_amounts(api, invoices):
    line_id = post_file(api, statements.camt053([(DAY, "1000.00", "VIR ACME")])).json()["lines"][0]["id"]
    response = api.post(
        f"/bank-lines/{line_id}/match",
        {"invoice_ids": [invoices[0].pk, invoices[1].pk], "amounts": ["700.00", "300.00"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "matched"
    assert [(p["invoice_id"], p["amount"]) for p in body["payments"]] == [
        (invoices[0].pk, "700.00"),
        (invoices[1].pk, "300.00"),
    ]
    again = api.post(f"/bank-lines/{line_id}/match", {"invoice_ids": [invoices[0].pk]})
    assert again.status_code == 409
    assert again.json()["detail"] == "Cette ligne du relevé est déjà rapprochée : elle ne peut pas servir deux fois."
    assert api.post(f"/bank-lines/{line_id}/ignore").status_code == 409


def test_bad_match_requests_are_refused_in_french(api, invoices):
    line_id = post_file(api, statements.camt053([(DAY, "100.00", "VIR ACME")])).json()["lines"][0]["id"]
    assert errors_at(
        api.post(f"/bank-lines/{line_id}/match", {"invoice_ids": [invoices[0].pk], "amounts": ["150.00"]}), "amounts"
    ) == ["Les montants dépassent celui du virement (100,00\u202f€)."]
    assert errors_at(
        api.post(
            f"/bank-lines/{line_id}/match", {"invoice_ids": [invoices[0].pk, invoices[1].pk], "amounts": ["50.00"]}
        ),
        "amounts",
    ) == ["Indiquez un montant par facture choisie."]
    assert errors_at(api.post(f"/bank-lines/{line_id}/match", {"invoice_ids": [999999]}), "invoice_ids") == [
        "Facture introuvable."
    ]
    assert Payment.objects.count() == 0


def test_ignore(api, invoices):
    line_id = post_file(api, statements.camt053([(DAY, "9.99", "INTERETS")])).json()["lines"][0]["id"]
    response = api.post(f"/bank-lines/{line_id}/ignore")
    assert (response.status_code, response.json()["status"]) == (200, "ignored")


def test_another_business_gets_404_and_its_invoices_are_not_found(api, outsider_api, invoices, other_business):
    line_id = post_file(api, statements.camt053([(DAY, "1200.00", "FACT 2024-031")])).json()["lines"][0]["id"]
    assert outsider_api.post(f"/bank-lines/{line_id}/match", {"invoice_ids": [invoices[0].pk]}).status_code == 404
    assert outsider_api.post(f"/bank-lines/{line_id}/ignore").status_code == 404
    # The outsider's own import of the same file is theirs: their line, no proposal of our invoices.
    theirs = post_file(outsider_api, statements.camt053([(DAY, "1200.00", "FACT 2024-031")])).json()
    assert theirs["created"] == 1 and theirs["lines"][0]["proposal"] is None
    their_line = theirs["lines"][0]["id"]
    assert errors_at(
        outsider_api.post(f"/bank-lines/{their_line}/match", {"invoice_ids": [invoices[0].pk]}), "invoice_ids"
    ) == ["Facture introuvable."]
    assert BankLine.objects.get(pk=line_id).status == "open"


def test_without_a_token_401(invoices):
    from tests.helpers import ApiClient

    assert post_file(ApiClient(None), statements.camt053([(DAY, "1.00", "X")])).status_code == 401
