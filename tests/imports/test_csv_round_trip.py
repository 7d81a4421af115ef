"""Relance's own CSV exports come back through the import without any mapping, to the cent."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from accounts.models import Business, User
from imports.csv_services import receive_csv, start_csv_run
from imports.models import CsvImport
from ledger import services
from ledger.models import Invoice
from tests.factories import make_business, make_client, make_invoice, make_user

pytestmark = pytest.mark.usefixtures("media_root", "frozen_today")


def exported(http: HttpClient, path: str) -> bytes:
    response = http.get(path)
    assert response.status_code == 200, response.content[:200]
    return b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]


def imported(business: Business, user: User, kind: str, data: bytes) -> CsvImport:
    csv_import = receive_csv(business=business, actor=user, kind=kind, upload=SimpleUploadedFile("e.csv", data))
    return start_csv_run(csv_import=csv_import, actor=user, dry_run=False)


def dues(business: Business) -> list[tuple[Any, ...]]:
    return sorted(
        Invoice.objects.filter(business=business).values_list(
            "number", "client__name", "client__siren", "issue_date", "due_date", "total_incl_tax", "amount_due"
        )
    )


def test_exported_clients_and_invoices_import_into_a_new_business_to_the_cent(
    business: Business, owner_client: HttpClient, owner: User
) -> None:
    business.vat_status = Business.VatStatus.VAT
    business.save()
    dupont = make_client(business, name="Atelier Dupont", siren="732829320", contact_name="Paul Dupont")
    morel = make_client(business, name="Jeanne Morel", email="")
    late = make_invoice(business, dupont, amount="1234.56", issue_date=dt.date(2026, 8, 1))
    make_invoice(business, morel, amount="80.00", issue_date=dt.date(2026, 11, 1))
    services.record_payment(invoice=late, actor=None, date=dt.date(2026, 10, 1), amount=Decimal("234.56"))

    clients_csv = exported(owner_client, "/exports/clients.csv")
    invoices_csv = exported(owner_client, "/exports/factures.csv")

    # Into the same business: nothing changes.
    before = dues(business)
    assert (imported(business, owner, "clients", clients_csv).unchanged_count, dues(business)) == (2, before)
    again = imported(business, owner, "invoices", invoices_csv)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.error_count) == (0, 0, 2, 0)

    # Into a new business: the same clients, invoices and amounts due.
    other = make_business(legal_name="Reprise SARL", vat_status=Business.VatStatus.VAT)
    other_user = make_user(other)
    clients = imported(other, other_user, "clients", clients_csv)
    assert (clients.created_count, clients.error_count, clients.mapping.keys() >= {"name", "siren", "kind"}) == (
        2,
        0,
        True,
    )
    invoices = imported(other, other_user, "invoices", invoices_csv)
    assert (invoices.created_count, invoices.clients_created, invoices.errors) == (2, 0, [])
    assert dues(other) == before
