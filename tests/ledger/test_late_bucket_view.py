import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger.models import Invoice
from tests.factories import make_client, make_invoice, make_reminder_row
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(key: str = "1-30") -> str:
    return reverse("pages:late_bucket", args=[key])


def late(business: Business, days: int, **kwargs: Any) -> Invoice:
    due = dt.date(2026, 11, 28) - dt.timedelta(days=days)
    return make_invoice(business, issue_date=due - dt.timedelta(days=30), due_date=due, **kwargs)


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(url())
    assert response.status_code == 302 and response.url == login_url(url())


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(url()).status_code == 405


def test_unknown_bucket_is_404(owner_client: HttpClient) -> None:
    assert owner_client.get(url("1-45")).status_code == 404


def test_lists_the_bucket_invoices_with_days_late_and_remind_buttons(
    owner_client: HttpClient, business: Business
) -> None:
    inside = late(business, 30, number="F-IN")
    late(business, 31, number="F-OUT")
    response = owner_client.get(url())
    assert response.status_code == 200
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-IN"]
    assert response.context["invoices"][0].days_late == 30
    assert "30 j" in response.text
    assert f'action="{reverse("dunning:reminder_create")}"' in response.text
    assert f'name="invoice_ids" value="{inside.pk}"' in response.text
    assert "Relancer la sélection" in response.text
    assert f'data-client="{inside.client_id}"' in response.text


def test_bucket_with_90_plus_key_resolves(owner_client: HttpClient, business: Business) -> None:
    late(business, 91, number="F-OLD")
    response = owner_client.get(url("90+"))
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-OLD"]


def test_not_due_bucket_has_no_remind_action(owner_client: HttpClient, business: Business) -> None:
    late(business, 0, number="F-TODAY")
    response = owner_client.get(url("not_due"))
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-TODAY"]
    assert "Relancer la sélection" not in response.text


def test_last_reminder_is_shown_in_words(owner_client: HttpClient, business: Business) -> None:
    invoice = late(business, 20)
    make_reminder_row(invoice, level=1, at=dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.UTC))
    late(business, 10)
    response = owner_client.get(url())
    assert "Relance 1 envoyée le 12/10" in response.text
    assert "Jamais relancée" in response.text


def test_filter_by_client(owner_client: HttpClient, business: Business) -> None:
    alice, bob = make_client(business, name="Alice"), make_client(business, name="Bob")
    late(business, 10, client=alice, number="F-A")
    late(business, 12, client=bob, number="F-B")
    response = owner_client.get(url(), {"client": alice.pk})
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-A"]


def test_client_of_another_business_in_filter_is_ignored(
    owner_client: HttpClient, business: Business, other_business: Business
) -> None:
    late(business, 10, number="F-A")
    stranger = make_client(other_business)
    response = owner_client.get(url(), {"client": stranger.pk})
    assert response.status_code == 200
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-A"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-days_late", ["F-20", "F-10", "F-5"]),
        ("days_late", ["F-5", "F-10", "F-20"]),
        ("-amount_due", ["F-5", "F-20", "F-10"]),
    ],
)
def test_sorting(owner_client: HttpClient, business: Business, sort: str, expected: list[str]) -> None:
    late(business, 10, number="F-10", amount="100.00")
    late(business, 20, number="F-20", amount="200.00")
    late(business, 5, number="F-5", amount="300.00")
    response = owner_client.get(url(), {"sort": sort})
    assert [invoice.number for invoice in response.context["invoices"]] == expected


def test_htmx_request_gets_the_results_fragment_only(owner_client: HttpClient, business: Business) -> None:
    late(business, 10)
    response = owner_client.get(url(), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_pagination(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business)
    for index in range(30):
        late(business, 1 + index % 29, client=client)
    first = owner_client.get(url())
    second = owner_client.get(url(), {"page": 2})
    assert len(first.context["invoices"]) == 25
    assert len(second.context["invoices"]) == 5
    assert "Page 1 sur 2" in first.text


def test_other_business_invoices_never_show(owner_client: HttpClient, other_business: Business) -> None:
    late(other_business, 10, number="F-THEIRS")
    response = owner_client.get(url())
    assert response.context["invoices"] == []
    assert "F-THEIRS" not in response.text


def test_query_count_is_constant(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(12) as context:
            owner_client.get(url(), {"client": client.pk})
        return len(context.captured_queries)

    client = make_client(business)
    for index in range(5):
        make_reminder_row(late(business, 1 + index, client=client))
    few = load()
    for index in range(45):
        invoice = late(business, 1 + index % 29, client=client if index % 2 else make_client(business))
        make_reminder_row(invoice, level=1 + index % 3)
    assert load() == few


def test_search_by_client_name_lists_no_client_as_an_option(owner_client: HttpClient, business: Business) -> None:
    alice, bob = make_client(business, name="Alice Durand"), make_client(business, name="Bob Martin")
    late(business, 10, client=alice, number="F-A")
    late(business, 12, client=bob, number="F-B")
    response = owner_client.get(url(), {"q": "durand"})
    assert [invoice.number for invoice in response.context["invoices"]] == ["F-A"]
    assert 'type="search"' in response.text and 'value="durand"' in response.text
    assert "<option" not in response.text.split('id="results"')[0]


def test_a_search_without_match_says_so(owner_client: HttpClient, business: Business) -> None:
    late(business, 10, number="F-A")
    response = owner_client.get(url(), {"q": "Zoé"})
    assert response.context["invoices"] == []
    assert "Aucune facture d’un client dont le nom contient « Zoé » dans cette tranche." in response.text


def test_unfiltered_pages_count_from_the_summary(
    owner_client: HttpClient, business: Business, django_assert_num_queries: Any
) -> None:
    client = make_client(business)
    for index in range(30):
        late(business, 1 + index % 29, client=client)
    owner_client.get(url())
    # Session, user with business, the navigation's count of reminders waiting for approval, the
    # page's rows: the count and the tabs come from the summary the first request cached.
    with django_assert_num_queries(4):
        second = owner_client.get(url(), {"page": 2})
    assert len(second.context["invoices"]) == 5
    assert "Page 2 sur 2" in second.text


def test_rows_escape_what_the_user_typed(owner_client: HttpClient, business: Business) -> None:
    """The rows are built in Python: every name, number and reason is escaped, in text and attributes."""
    client = make_client(business, name='<b>"Dupont" & fils</b>')
    invoice = late(business, 12, client=client, number="F<1>")
    Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason='"conteste" <x>')
    text = owner_client.get(url()).text
    assert "<b>" not in text and "<1>" not in text and "<x>" not in text
    assert ">&lt;b&gt;&quot;Dupont&quot; &amp; fils&lt;/b&gt;</a>" in text
    assert 'data-client-name="&lt;b&gt;&quot;Dupont&quot; &amp; fils&lt;/b&gt;"' in text
    assert 'title="&quot;conteste&quot; &lt;x&gt;">Contestée</span>' in text
    assert f'<a href="{reverse("pages:invoice_detail", args=[invoice.pk])}">F&lt;1&gt;</a>' in text
    assert 'aria-label="Relancer &lt;b&gt;&quot;Dupont&quot; &amp; fils&lt;/b&gt; pour la facture F&lt;1&gt;"' in text


def test_rows_speak_the_users_language(owner_client: HttpClient, business: Business) -> None:
    late(business, 12, number="F-EN")
    owner_client.post(reverse("set_language"), {"language": "en", "next": url()})
    text = owner_client.get(url()).text
    assert "Jamais relancée" not in text and 'data-label="Échéance"' not in text
    assert "12 j" not in text


def test_cached_head_follows_every_write_the_search_and_the_language(
    owner_client: HttpClient, business: Business
) -> None:
    """The head, tabs and filter are cached under the summary's key with the request's filter."""
    from decimal import Decimal

    from ledger import services

    invoice = late(business, 12)
    assert "1 facture · 1 client" in owner_client.get(url()).text
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 11, 27), amount=Decimal("1000.00"))
    assert "0 facture · 0 client" in owner_client.get(url()).text
    assert 'value="Dupont"' in owner_client.get(url(), {"q": "Dupont"}).text
    assert 'value="Durand"' in owner_client.get(url(), {"q": "Durand"}).text
    owner_client.post(reverse("set_language"), {"language": "en", "next": url()})
    assert "Fil d’Ariane" not in owner_client.get(url()).text


def test_cached_sort_control_and_column_heads_follow_the_address_and_the_language(
    owner_client: HttpClient, business: Business
) -> None:
    """Cached under the request's path and query: each sort, filter and bucket gets its own."""
    late(business, 12)
    late(business, 40)
    by_amount = owner_client.get(url(), {"sort": "-amount_due", "q": "Client"}).text
    assert '<option value="-amount_due" selected>' in by_amount
    assert 'aria-sort="descending"><a href="?sort=amount_due&amp;q=Client"' in by_amount
    by_lateness = owner_client.get(url()).text
    assert '<option value="-days_late" selected>' in by_lateness
    assert 'aria-sort="descending"><a href="?sort=days_late"' in by_lateness
    assert "q=Client" not in by_lateness
    # The selection column heads late buckets only.
    assert "Sélection" in by_lateness
    late(business, -5)
    not_due = owner_client.get(url("not_due")).text
    assert 'aria-sort="descending"><a href="?sort=days_late"' in not_due
    assert '<span class="visually-hidden">Sélection' not in not_due
    owner_client.post(reverse("set_language"), {"language": "en", "next": url()})
    in_english = owner_client.get(url()).text
    assert "Trier par" not in in_english and "Dernière relance" not in in_english
