import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import Business, User
from ledger import services
from ledger.lookups import get_client_for, get_invoice_for, get_payment_for
from tests.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db


def test_owner_gets_its_rows(owner: User, business: Business) -> None:
    invoice = make_invoice(business)
    payment = services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 2), amount=Decimal("1.00"))
    assert get_client_for(owner, invoice.client_id) == invoice.client
    assert get_invoice_for(owner, invoice.pk) == invoice
    assert get_payment_for(owner, payment.pk) == payment


def test_another_business_rows_are_404(outsider: User, business: Business) -> None:
    invoice = make_invoice(business)
    payment = services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 2), amount=Decimal("1.00"))
    for lookup, pk in [
        (get_client_for, invoice.client_id),
        (get_invoice_for, invoice.pk),
        (get_payment_for, payment.pk),
    ]:
        with pytest.raises(Http404):
            lookup(outsider, pk)


def test_user_without_business_gets_404(business: Business) -> None:
    invoice = make_invoice(business)
    loner = make_user(business)
    loner.business = None
    with pytest.raises(Http404):
        get_invoice_for(loner, invoice.pk)
