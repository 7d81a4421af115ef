import datetime as dt
from decimal import Decimal

from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger import services
from tests.factories import make_invoice


def test_invoice_is_readable_but_not_editable_in_admin(staff_client: HttpClient, business: Business) -> None:
    invoice = make_invoice(business, number="F-ADMIN", issue_date=dt.date(2026, 9, 1))
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 2), amount=Decimal("10.00"))
    listing = staff_client.get(reverse("admin:ledger_invoice_changelist"))
    assert listing.status_code == 200 and "F-ADMIN" in listing.text
    page = staff_client.get(reverse("admin:ledger_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200
    assert 'name="number"' not in page.text
    assert staff_client.get(reverse("admin:ledger_invoice_add")).status_code == 403


def test_audit_log_and_clients_are_listed(staff_client: HttpClient, business: Business) -> None:
    make_invoice(business)
    assert staff_client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:ledger_client_changelist")).status_code == 200
