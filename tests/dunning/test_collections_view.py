import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import services as ledger_services
from tests.factories import make_client, make_invoice, make_reminder

URL = reverse("dunning:collections")


def test_empty_collections_explain_how_invoices_get_there(owner_client):
    response = owner_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "collections"
    assert "Aucune facture à mettre en recouvrement" in content
    assert "mise en demeure" in content


def test_invoices_whose_last_reminder_is_a_formal_notice_are_listed(owner_client, business, owner):
    noticed = make_invoice(business, make_client(business, name="Client mis en demeure"), number="F-300")
    reminded = make_invoice(business, make_client(business, name="Client relancé"), number="F-100")
    notice = make_reminder(business, owner, invoices=[noticed], level=3)
    make_reminder(business, owner, invoices=[reminded], level=1)
    response = owner_client.get(URL)
    content = response.content.decode()
    assert [row.invoice.number for row in response.context["rows"]] == ["F-300"]
    assert notice.reference in content
    assert "À renseigner" in content  # the registered letter number is missing
    assert "01/10/2031" in content  # 5 years after the due date for a professional


def test_paid_invoices_leave_the_list(owner_client, owner, business):
    invoice = make_invoice(business, amount="500.00")
    make_reminder(business, owner, invoices=[invoice], level=3)
    ledger_services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 1), amount=Decimal("500.00"))
    assert owner_client.get(URL).context["rows"] == []


def test_other_business_invoices_are_not_listed(outsider_client, business, owner):
    make_reminder(business, owner, invoices=[make_invoice(business)], level=3)
    assert outsider_client.get(URL).context["rows"] == []


def test_collections_refuse_post(owner_client):
    assert owner_client.post(URL).status_code == 405


@pytest.mark.parametrize("count", [2, 12])
def test_collections_query_count_does_not_grow(owner_client, business, owner, django_assert_max_num_queries, count):
    for _ in range(count):
        make_reminder(business, owner, invoices=[make_invoice(business)], level=3)
    with django_assert_max_num_queries(7):
        response = owner_client.get(URL)
    assert len(response.context["rows"]) == count
