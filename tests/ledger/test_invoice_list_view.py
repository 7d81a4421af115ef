import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger import services
from tests.factories import make_client, make_invoice
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("ledger:invoice_list")


def numbers(response: Any) -> list[str]:
    return [invoice.number for invoice in response.context["invoices"]]


@pytest.fixture
def four_states(business: Business) -> None:
    make_invoice(business, number="F-NOTDUE", issue_date=dt.date(2026, 11, 20))
    make_invoice(business, number="F-LATE", issue_date=dt.date(2026, 9, 1))
    paid = make_invoice(business, number="F-PAID", amount="100.00", issue_date=dt.date(2026, 8, 1))
    services.record_payment(invoice=paid, actor=None, date=dt.date(2026, 8, 15), amount=Decimal("100.00"))
    cancelled = make_invoice(business, number="F-CANC", issue_date=dt.date(2026, 7, 1))
    services.cancel_invoice(invoice=cancelled, actor=None, reason="Doublon")


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405


def test_empty_state(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert "Aucune facture" in response.text
    assert reverse("ledger:invoice_create") in response.text


@pytest.mark.usefixtures("four_states")
def test_lists_all_with_status_badges_in_words(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert numbers(response) == ["F-NOTDUE", "F-LATE", "F-PAID", "F-CANC"]
    for css, word in [("not_due", "Non échue"), ("late", "En retard"), ("paid", "Payée"), ("cancelled", "Annulée")]:
        assert f'<span class="badge badge-{css}">{word}</span>' in response.text


@pytest.mark.usefixtures("four_states")
@pytest.mark.parametrize(
    ("status", "expected"),
    [("not_due", ["F-NOTDUE"]), ("late", ["F-LATE"]), ("paid", ["F-PAID"]), ("cancelled", ["F-CANC"])],
)
def test_filter_by_status(owner_client: HttpClient, status: str, expected: list[str]) -> None:
    assert numbers(owner_client.get(URL, {"status": status})) == expected


def test_filter_by_client_and_number(owner_client: HttpClient, business: Business) -> None:
    alice = make_client(business, name="Alice")
    make_invoice(business, alice, number="F-2026-001")
    make_invoice(business, alice, number="F-2026-002")
    make_invoice(business, number="F-2026-003")
    assert numbers(owner_client.get(URL, {"client": alice.pk, "sort": "number"})) == ["F-2026-001", "F-2026-002"]
    assert numbers(owner_client.get(URL, {"q": "003"})) == ["F-2026-003"]


def test_filters_without_result_offer_to_clear(owner_client: HttpClient, business: Business) -> None:
    make_invoice(business, number="F-1")
    response = owner_client.get(URL, {"q": "zzz"})
    assert "Aucune facture ne correspond à ces critères." in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("number", ["A-1", "B-2", "C-3"]), ("-amount_due", ["B-2", "C-3", "A-1"]), ("due_date", ["C-3", "A-1", "B-2"])],
)
def test_sorting(owner_client: HttpClient, business: Business, sort: str, expected: list[str]) -> None:
    make_invoice(business, number="A-1", amount="10.00", issue_date=dt.date(2026, 9, 1))
    make_invoice(business, number="B-2", amount="30.00", issue_date=dt.date(2026, 10, 1))
    make_invoice(business, number="C-3", amount="20.00", issue_date=dt.date(2026, 8, 1))
    assert numbers(owner_client.get(URL, {"sort": sort})) == expected


def test_other_business_invoices_never_show(owner_client: HttpClient, other_business: Business) -> None:
    make_invoice(other_business, number="F-THEIRS")
    response = owner_client.get(URL)
    assert numbers(response) == []
    assert "F-THEIRS" not in response.text


def test_htmx_gets_results_fragment(owner_client: HttpClient, business: Business) -> None:
    make_invoice(business, number="F-1")
    response = owner_client.get(URL, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results"')


def test_query_count_is_constant(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(10) as context:
            owner_client.get(URL, {"status": "late"})
        return len(context.captured_queries)

    for index in range(5):
        make_invoice(business, issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    few = load()
    for index in range(45):
        make_invoice(business, make_client(business), issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    assert load() == few
