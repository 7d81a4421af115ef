"""Two steps posted on one case at the same instant, by real threads with their own connections:
the money recovered reaches the invoices exactly once per step, never twice, never lost."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.models import Invoice, Payment
from recovery import services
from recovery.models import CaseEvent, CollectionCase
from tests.concurrency.racing import Answer, Outcome, new_invoices, race
from tests.factories import make_client

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4
DAY = dt.date(2026, 10, 15)


@pytest.fixture
def cases(business, owner) -> list[CollectionCase]:
    client = make_client(business)
    return [
        services.open_case(business=business, actor=owner, invoice_ids=[invoice.pk], agency=None, transmitted_on=DAY)
        for invoice in new_invoices(business, client, ROUNDS)
    ]


def amount_due(case: CollectionCase) -> Decimal:
    return Invoice.objects.get(collection_lines__case=case).amount_due


def step(case: CollectionCase, actor, amount: str, key: str = "") -> Outcome:
    return Outcome(
        lambda: services.add_event(
            case=case, actor=actor, status="partially_recovered", date=DAY, amount=amount, key=key
        )
    )


def test_two_amounts_at_once_are_both_recorded_once(owner, cases):
    results = race(ROUNDS, lambda i: step(cases[i], owner, "300.00"), lambda i: step(cases[i], owner, "200.00"))
    for case, (first, second) in zip(cases, results, strict=True):
        assert first.ok and second.ok, (first, second)
        assert amount_due(case) == Decimal("500.00")
        assert sorted(
            Payment.objects.filter(invoice__collection_lines__case=case).values_list("amount", flat=True)
        ) == [
            Decimal("200.00"),
            Decimal("300.00"),
        ]
        assert CaseEvent.objects.filter(case=case, status="partially_recovered").count() == 2


def test_the_same_step_posted_twice_at_once_is_recorded_once(owner, cases):
    results = race(
        ROUNDS,
        lambda i: step(cases[i], owner, "300.00", key=f"same-{i}"),
        lambda i: step(cases[i], owner, "300.00", key=f"same-{i}"),
    )
    for case, (first, second) in zip(cases, results, strict=True):
        assert first.ok and second.ok, (first, second)
        assert first.value.pk == second.value.pk
        assert amount_due(case) == Decimal("700.00")
        assert Payment.objects.filter(invoice__collection_lines__case=case).count() == 1


def test_two_amounts_that_together_exceed_the_claim_one_wins(owner, cases):
    results = race(ROUNDS, lambda i: step(cases[i], owner, "600.00"), lambda i: step(cases[i], owner, "600.00"))
    for case, outcomes in zip(cases, results, strict=True):
        winners = [outcome for outcome in outcomes if outcome.ok]
        losers = [outcome for outcome in outcomes if not outcome.ok]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert losers[0].messages_at("amount") == [
            "Le montant dépasse le reste dû sur les factures du dossier (400,00\u202f€)."
        ]
        assert amount_due(case) == Decimal("400.00")
        assert Payment.objects.filter(invoice__collection_lines__case=case).count() == 1


def test_api_steps_at_once_through_http(api_for, cases):
    first_api, second_api = api_for(), api_for()

    def post(api, i: int, amount: str) -> Answer:
        return Answer(
            api.post(
                f"/collection-cases/{cases[i].pk}/events",
                {"status": "partially_recovered", "date": DAY.isoformat(), "amount": amount},
            )
        )

    results = race(ROUNDS, lambda i: post(first_api, i, "100.00"), lambda i: post(second_api, i, "250.00"))
    for case, (first, second) in zip(cases, results, strict=True):
        assert (first.status, second.status) == (201, 201), (first, second)
        assert amount_due(case) == Decimal("650.00")
