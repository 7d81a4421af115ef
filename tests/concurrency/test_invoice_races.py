"""Two API calls on one invoice at the same instant: the rows end as some serial order of the
winners left them, every loser is told why in French, and the audit log tells the same story."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from accounts.models import Business, User
from core.models import AuditEvent
from ledger import services
from ledger.models import Client, CreditNote, Invoice, Payment
from tests.concurrency.racing import ROUNDS, Answer, Outcome, new_invoices, only, race, story
from tests.factories import make_client

pytestmark = pytest.mark.django_db(transaction=True)

CANCELLED = "Cette facture est annulée : elle ne peut plus être modifiée."
PAYMENT_ON_CANCELLED = "Cette facture est annulée : aucun règlement ne peut y être enregistré."


@pytest.fixture
def client_row(business: Business) -> Client:
    return make_client(business)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def payment(amount: str) -> dict[str, str]:
    return {"date": "2026-10-01", "amount": amount, "method": "transfer"}


def test_an_edit_never_undoes_a_cancellation(api_for, business, client_row):
    rows = new_invoices(business, client_row)
    editor, canceller = api_for(), api_for()
    results = race(
        ROUNDS,
        lambda i: Answer(editor.patch(f"/invoices/{rows[i].pk}", {"notes": "x"})),
        lambda i: Answer(canceller.post(f"/invoices/{rows[i].pk}/cancel", {"reason": "Doublon"})),
    )
    for invoice, (edit, cancel) in zip(rows, results, strict=True):
        invoice = fresh(invoice)
        assert cancel.status == 200, cancel
        assert invoice.cancelled_at is not None and invoice.cancel_reason == "Doublon"
        if edit.status == 200:
            assert invoice.notes == "x"
            assert story(invoice) == ["updated", "cancelled"]
        else:
            assert (edit.status, edit.detail) == (409, CANCELLED)
            assert invoice.notes == ""
            assert story(invoice) == ["cancelled"]


def test_two_edits_of_different_fields_both_stay(owner, business, client_row):
    rows = new_invoices(business, client_row)
    results = race(
        ROUNDS,
        lambda i: Outcome(lambda: services.update_invoice(invoice=fresh(rows[i]), actor=owner, notes="Commande 42")),
        lambda i: Outcome(
            lambda: services.update_invoice(invoice=fresh(rows[i]), actor=owner, due_date=dt.date(2026, 12, 31))
        ),
    )
    for invoice, outcomes in zip(rows, results, strict=True):
        assert all(outcome.ok for outcome in outcomes), outcomes
        invoice = fresh(invoice)
        assert (invoice.notes, invoice.due_date) == ("Commande 42", dt.date(2026, 12, 31))
        assert story(invoice) == ["updated", "updated"]


def test_an_invoice_is_cancelled_once(owner, business, client_row):
    rows = new_invoices(business, client_row)
    results = race(
        ROUNDS,
        lambda i: Outcome(lambda: services.cancel_invoice(invoice=fresh(rows[i]), actor=owner, reason="Erreur")),
        lambda i: Outcome(lambda: services.cancel_invoice(invoice=fresh(rows[i]), actor=owner, reason="Doublon")),
    )
    for invoice, outcomes in zip(rows, results, strict=True):
        winner = only([outcome for outcome in outcomes if outcome.ok])
        loser = only([outcome for outcome in outcomes if not outcome.ok])
        assert loser.conflict == "Cette facture est déjà annulée."
        invoice = fresh(invoice)
        assert invoice.cancel_reason == winner.value.cancel_reason
        assert story(invoice) == ["cancelled"]


def test_a_payment_and_a_cancellation(api_for, business, client_row):
    rows = new_invoices(business, client_row)
    payer, canceller = api_for(), api_for()
    results = race(
        ROUNDS,
        lambda i: Answer(payer.post(f"/invoices/{rows[i].pk}/payments", payment("400.00"))),
        lambda i: Answer(canceller.post(f"/invoices/{rows[i].pk}/cancel", {"reason": "Doublon"})),
    )
    for invoice, (paid, cancel) in zip(rows, results, strict=True):
        invoice = fresh(invoice)
        assert cancel.status == 200, cancel
        assert invoice.cancelled_at is not None
        if paid.status == 201:
            assert [p.amount for p in invoice.payments.all()] == [Decimal("400.00")]
            assert invoice.amount_due == Decimal("600.00")
            assert story(invoice) == ["payment_recorded", "cancelled"]
        else:
            assert (paid.status, paid.detail) == (409, PAYMENT_ON_CANCELLED)
            assert not invoice.payments.exists()
            assert invoice.amount_due == Decimal("1000.00")
            assert story(invoice) == ["cancelled"]


def record_payment(owner: User, invoice: Invoice, amount: str) -> Payment:
    return services.record_payment(
        invoice=fresh(invoice), actor=owner, date=dt.date(2026, 10, 1), amount=Decimal(amount)
    )


def record_credit_note(owner: User, invoice: Invoice, number: str, amount: str) -> CreditNote:
    return services.record_credit_note(
        invoice=fresh(invoice), actor=owner, number=number, date=dt.date(2026, 10, 1), amount=Decimal(amount)
    )


OVER_PAYMENT = "Le montant dépasse le reste dû (400,00\u202f€) : un trop-perçu est refusé."
OVER_CREDIT = "Un avoir ne peut pas dépasser le reste dû (400,00\u202f€)."


@pytest.mark.parametrize(
    ("first", "second"),
    [("payment", "payment"), ("payment", "credit_note"), ("credit_note", "credit_note")],
)
def test_two_amounts_that_together_exceed_the_amount_due(owner, business, client_row, first, second):
    rows = new_invoices(business, client_row)

    def actor(kind: str, tag: str) -> Callable[[int], Outcome]:
        if kind == "payment":
            return lambda i: Outcome(lambda: record_payment(owner, rows[i], "600.00"))
        return lambda i: Outcome(lambda: record_credit_note(owner, rows[i], f"A-{tag}-{i}", "600.00"))

    results = race(ROUNDS, actor(first, "1"), actor(second, "2"))
    kinds = (first, second)
    refusals = {"payment": OVER_PAYMENT, "credit_note": OVER_CREDIT}
    events = {"payment": "payment_recorded", "credit_note": "credit_note_recorded"}
    for invoice, outcomes in zip(rows, results, strict=True):
        winner = only([index for index, outcome in enumerate(outcomes) if outcome.ok])
        assert outcomes[1 - winner].messages_at("amount") == [refusals[kinds[1 - winner]]]
        invoice = fresh(invoice)
        recorded = list(Payment.objects.filter(invoice=invoice)) + list(CreditNote.objects.filter(invoice=invoice))
        assert [row.amount for row in recorded] == [Decimal("600.00")]
        assert invoice.amount_due == Decimal("400.00")
        assert story(invoice) == [events[kinds[winner]]]


def test_a_payment_is_deleted_once(api_for, business, client_row, owner):
    rows = new_invoices(business, client_row)
    payments = [
        services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 10, 1), amount=Decimal("250.00"))
        for invoice in rows
    ]
    first, second = api_for(), api_for()
    results = race(
        ROUNDS,
        lambda i: Answer(first.delete(f"/invoices/{rows[i].pk}/payments/{payments[i].pk}")),
        lambda i: Answer(second.delete(f"/invoices/{rows[i].pk}/payments/{payments[i].pk}")),
    )
    for invoice, answers in zip(rows, results, strict=True):
        only([answer for answer in answers if answer.status == 204])
        loser = only([answer for answer in answers if answer.status != 204])
        assert (loser.status, loser.detail) == (404, "Introuvable.")
        invoice = fresh(invoice)
        assert not invoice.payments.exists()
        assert invoice.amount_due == Decimal("1000.00")
        assert story(invoice) == ["payment_recorded", "payment_deleted"]


def test_a_client_deleted_while_an_invoice_is_created_for_it(api_for, business):
    clients = Client.objects.bulk_create(Client(business=business, name=f"Client {i}") for i in range(ROUNDS))
    deleter, creator = api_for(), api_for()
    results = race(
        ROUNDS,
        lambda i: Answer(deleter.delete(f"/clients/{clients[i].pk}")),
        lambda i: Answer(
            creator.post(
                "/invoices",
                {
                    "client_id": clients[i].pk,
                    "number": f"F-{i}",
                    "issue_date": "2026-09-01",
                    "total_excl_tax": "1000.00",
                },
            )
        ),
    )
    for client, (deleted, created) in zip(clients, results, strict=True):
        client_story = list(
            AuditEvent.objects.filter(object_type="client", object_id=client.pk)
            .exclude(action="created")
            .values_list("action", flat=True)
        )
        if deleted.status == 204:
            assert created.messages_at("client_id") == ["Client introuvable."]
            assert not Client.objects.filter(pk=client.pk).exists()
            assert client_story == ["deleted"]
        else:
            assert (deleted.status, deleted.detail) == (409, "Ce client a des factures : il ne peut pas être supprimé.")
            assert created.status == 201, created
            invoice = Invoice.objects.get(client=client)
            assert AuditEvent.objects.filter(invoice=invoice, action="created").count() == 1
            assert client_story == []
