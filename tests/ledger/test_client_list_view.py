import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from tests.factories import make_client, make_invoice
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("ledger:client_list")


def names(response: Any) -> list[str]:
    return [client.name for client in response.context["page"].object_list]


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405


def test_empty_state_teaches_to_create_the_first_client(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert "Aucun client — créez votre premier client" in response.text
    assert reverse("ledger:client_create") in response.text


def test_lists_only_the_business_clients(
    owner_client: HttpClient, business: Business, other_business: Business
) -> None:
    make_client(business, name="Boulangerie Martin")
    make_client(other_business, name="Concurrent secret")
    response = owner_client.get(URL)
    assert names(response) == ["Boulangerie Martin"]
    assert "Concurrent secret" not in response.text


@pytest.mark.parametrize("search", ["boulang", "compta@martin", "villeurbanne", "sophie"])
def test_search_by_name_email_city_or_contact(owner_client: HttpClient, business: Business, search: str) -> None:
    make_client(
        business,
        name="Boulangerie Martin",
        email="compta@martin.test",
        city="Villeurbanne",
        contact_name="Sophie Dupuis",
    )
    make_client(business, name="Garage Durand", email="garage@durand.test", city="Lyon", contact_name="Marc")
    assert names(owner_client.get(URL, {"q": search})) == ["Boulangerie Martin"]


def test_search_without_result_says_so(owner_client: HttpClient, business: Business) -> None:
    make_client(business, name="Garage Durand")
    response = owner_client.get(URL, {"q": "zzz"})
    assert "Aucun client ne correspond à « zzz »" in response.text


def test_sort_by_balance_and_by_late_count(owner_client: HttpClient, business: Business) -> None:
    small, big, late = (make_client(business, name=name) for name in ["A petit", "B gros", "C retard"])
    make_invoice(business, small, amount="100.00", issue_date=dt.date(2026, 11, 20))
    make_invoice(business, big, amount="5000.00", issue_date=dt.date(2026, 11, 20))
    make_invoice(business, late, amount="200.00", issue_date=dt.date(2026, 8, 1))
    make_invoice(business, late, amount="300.00", issue_date=dt.date(2026, 8, 2))
    assert names(owner_client.get(URL, {"sort": "-balance"})) == ["B gros", "C retard", "A petit"]
    assert names(owner_client.get(URL, {"sort": "-late_count"}))[0] == "C retard"
    assert names(owner_client.get(URL, {"sort": "-name"})) == ["C retard", "B gros", "A petit"]
    response = owner_client.get(URL)
    row = next(client for client in response.context["page"].object_list if client.name == "C retard")
    assert (row.late_count, row.balance, row.late_amount) == (2, Decimal("500.00"), Decimal("500.00"))
    assert "500,00\u202f€" in response.text


def test_unknown_sort_falls_back_to_name(owner_client: HttpClient, business: Business) -> None:
    make_client(business, name="B")
    make_client(business, name="A")
    response = owner_client.get(URL, {"sort": "password"})
    assert response.status_code == 200
    assert names(response) == ["A", "B"]


def test_htmx_gets_the_results_fragment_with_the_current_sort(owner_client: HttpClient, business: Business) -> None:
    make_client(business, name="Garage Durand")
    response = owner_client.get(URL, {"q": "gar", "sort": "-balance"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results"')
    assert "Garage Durand" in response.text
    assert '<option value="-balance" selected>' in response.text
    assert 'form="filters"' in response.text


def test_history_restore_gets_the_full_page(owner_client: HttpClient) -> None:
    response = owner_client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.text


def test_query_count_is_constant(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(8) as context:
            owner_client.get(URL, {"sort": "-balance"})
        return len(context.captured_queries)

    for index in range(5):
        make_invoice(business, make_client(business), issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    few = load()
    for index in range(45):
        make_invoice(business, make_client(business), issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    assert load() == few
