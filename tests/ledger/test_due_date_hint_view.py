import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, PaymentTerms
from tests.helpers import login_url

URL = reverse("ledger:due_date_hint")


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405


def test_thirty_days(owner_client: HttpClient) -> None:
    response = owner_client.get(URL, {"issue_date": "2026-01-31"})
    assert "<strong>02/03/2026</strong> (30 jours, selon vos conditions de paiement)" in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize(
    ("terms", "days", "expected"),
    [
        (
            PaymentTerms.EOM_45_THEN,
            None,
            "<strong>31/03/2026</strong> (45 jours fin de mois (date + 45 jours, puis fin de mois)",
        ),
        (
            PaymentTerms.EOM_THEN_45,
            None,
            "<strong>17/03/2026</strong> (45 jours fin de mois (fin de mois, puis + 45 jours)",
        ),
        (PaymentTerms.DAYS_60, None, "<strong>01/04/2026</strong> (60 jours"),
        (PaymentTerms.CUSTOM_DAYS, 10, "<strong>10/02/2026</strong> (10 jours après la date de facture"),
    ],
)
def test_rule_of_the_business_is_named(
    owner_client: HttpClient, business: Business, terms: str, days: int | None, expected: str
) -> None:
    business.payment_terms = terms
    business.payment_terms_days = days
    business.save()
    assert expected in owner_client.get(URL, {"issue_date": "2026-01-31"}).text


def test_bad_date_gives_the_rule_only(owner_client: HttpClient) -> None:
    response = owner_client.get(URL, {"issue_date": "n'importe quoi"})
    assert response.status_code == 200
    assert "calculée selon vos conditions de paiement (30 jours)" in response.text
