"""Importing statements and turning their lines into payments, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bank import queries, services
from bank.models import BankLine, BankStatement
from core.errors import Conflict
from dunning.models import Reminder
from ledger.models import Payment
from tests.bank import statements
from tests.factories import make_client, make_invoice, make_reminder

pytestmark = pytest.mark.usefixtures("frozen_today")

DAY = dt.date(2026, 11, 12)


@pytest.fixture
def acme(business):
    return make_client(business, name="ACME SARL")


@pytest.fixture
def invoices(business, acme):
    """Three late invoices of ACME, and one of another client."""
    return [
        make_invoice(business, acme, amount="1200.00", number="2024-031"),
        make_invoice(business, acme, amount="300.00", number="2024-032", issue_date=dt.date(2026, 9, 5)),
        make_invoice(business, acme, amount="450.00", number="2024-033", issue_date=dt.date(2026, 9, 10)),
        make_invoice(business, make_client(business, name="Garage Petit"), amount="80.00", number="2024-034"),
    ]


def do_import(business, owner, data):
    return services.import_statement(business=business, actor=owner, upload=data)


def proposals(business):
    return {row.line.text: row.proposal for row in queries.lines_with_proposals(business)}


def test_credits_are_kept_debits_left_out(business, owner, invoices):
    result = do_import(
        business,
        owner,
        statements.ofx_sgml([(DAY, "1200.00", "VIR ACME FACT 2024-031"), (DAY, "-30.00", "CB LIBRAIRIE")]),
    )
    assert result.created == 1
    assert (result.statement.credit_count, result.statement.debit_count) == (1, 1)
    line = BankLine.objects.get()
    assert (line.date, line.amount, line.bank_key, line.account) == (
        DAY,
        Decimal("1200.00"),
        "id:TX00000",
        "00012345678",
    )


def test_reimporting_the_same_statement_changes_nothing(business, owner, invoices):
    data = statements.camt053([(DAY, "1200.00", "FACT 2024-031"), (DAY, "80.00", "VIR GARAGE PETIT")])
    first = do_import(business, owner, data)
    second = do_import(business, owner, data)
    assert (first.created, second.created, second.already_imported) == (2, 0, True)
    assert second.statement == first.statement
    assert BankStatement.objects.count() == 1 and BankLine.objects.count() == 2


def test_an_overlapping_export_adds_only_the_new_lines_even_without_bank_ids(business, owner, invoices):
    rows = [(DAY, "1200.00", "VIR ACME FACT 2024-031"), (DAY, "50.00", "VIR X"), (DAY, "50.00", "VIR X")]
    assert do_import(business, owner, statements.banque_postale_csv(rows)).created == 3
    later = do_import(
        business, owner, statements.banque_postale_csv([*rows, (dt.date(2026, 11, 20), "80.00", "GARAGE PETIT")])
    )
    # Two identical transfers on one day stay two lines; the lines already kept are not kept again.
    assert later.created == 1
    assert BankLine.objects.count() == 4
    assert len(queries.statement_lines(later.statement, later.keys)) == 4


def test_matching_by_reference_by_amount_partial_two_invoices_and_nothing(business, owner, invoices):
    reminder = make_reminder(business, owner, invoices=[invoices[1], invoices[2]])
    do_import(
        business,
        owner,
        statements.ofx_xml(
            [
                (DAY, "1200.00", "VIR SEPA ACME FACT 2024-031"),
                (DAY, "750.00", f"VIR ACME {reminder.reference}"),
                (DAY, "80.00", "VIR SEPA GARAGE PETIT"),
                (DAY, "9.99", "REMBOURSEMENT MUTUELLE"),
            ]
        ),
    )
    found = proposals(business)
    by_reference = found["VIR SEPA ACME FACT 2024-031"]
    assert (by_reference.confidence, by_reference.reason, by_reference.invoice_ids) == (
        "sure",
        "reference",
        [invoices[0].pk],
    )
    two = next(p for text, p in found.items() if reminder.reference in text)
    assert (two.confidence, two.invoice_ids) == ("sure", [invoices[1].pk, invoices[2].pk])
    by_amount = next(p for text, p in found.items() if "GARAGE" in text)
    assert (by_amount.confidence, by_amount.reason, by_amount.invoice_ids) == (
        "sure",
        "amount_and_name",
        [invoices[3].pk],
    )
    assert next(p for text, p in found.items() if "MUTUELLE" in text) is None


def test_confirming_a_line_paying_two_invoices_records_two_payments(business, owner, invoices):
    do_import(business, owner, statements.camt053([(DAY, "1500.00", "VIR ACME FACT 2024-031 ET 2024-032")]))
    line = BankLine.objects.get()
    payments = services.match_line(line=line, actor=owner, allocations=[(invoices[0].pk, None), (invoices[1].pk, None)])
    assert [(p.invoice_id, p.amount, p.method, p.date) for p in payments] == [
        (invoices[0].pk, Decimal("1200.00"), Payment.Method.TRANSFER, DAY),
        (invoices[1].pk, Decimal("300.00"), Payment.Method.TRANSFER, DAY),
    ]
    assert payments[0].reference.startswith("Relevé 12/11/2026 VIR ACME FACT 2024-031")
    for invoice in invoices[:2]:
        invoice.refresh_from_db()
        assert invoice.amount_due == 0
    line.refresh_from_db()
    assert line.status == BankLine.Status.MATCHED and line.allocations.count() == 2


def test_a_partial_payment_leaves_the_rest_due(business, owner, invoices):
    do_import(business, owner, statements.camt053([(DAY, "400.00", "ACOMPTE FACT 2024-031")]))
    line = BankLine.objects.get()
    services.match_line(line=line, actor=owner, allocations=[(invoices[0].pk, None)])
    invoices[0].refresh_from_db()
    assert invoices[0].amount_due == Decimal("800.00")


def test_a_line_is_never_used_twice(business, owner, invoices):
    do_import(business, owner, statements.camt053([(DAY, "80.00", "GARAGE PETIT")]))
    line = BankLine.objects.get()
    services.match_line(line=line, actor=owner, allocations=[(invoices[3].pk, None)])
    with pytest.raises(Conflict, match="déjà rapprochée"):
        services.match_line(line=line, actor=owner, allocations=[(invoices[2].pk, Decimal("80.00"))])
    with pytest.raises(Conflict):
        services.ignore_line(line=line, actor=owner)
    assert Payment.objects.count() == 1


def test_amounts_beyond_the_line_or_the_invoice_are_refused_and_nothing_is_written(business, owner, invoices):
    do_import(business, owner, statements.camt053([(DAY, "500.00", "VIR ACME")]))
    line = BankLine.objects.get()
    with pytest.raises(ValidationError) as caught:
        services.match_line(
            line=line,
            actor=owner,
            allocations=[(invoices[0].pk, Decimal("400.00")), (invoices[1].pk, Decimal("200.00"))],
        )
    assert caught.value.message_dict["amounts"] == ["Les montants dépassent celui du virement (500,00\u202f€)."]
    with pytest.raises(ValidationError) as caught:
        services.match_line(
            line=line,
            actor=owner,
            allocations=[(invoices[2].pk, Decimal("100.00")), (invoices[3].pk, Decimal("90.00"))],
        )
    assert caught.value.message_dict["amounts"][0].startswith("2024-034 : Le montant dépasse le reste dû")
    # The first payment of the refused confirmation is not kept either.
    assert Payment.objects.count() == 0
    line.refresh_from_db()
    assert line.status == BankLine.Status.OPEN


def test_an_invoice_of_another_business_is_not_found(business, owner, invoices, other_business):
    foreign = make_invoice(other_business, amount="500.00")
    do_import(business, owner, statements.camt053([(DAY, "500.00", "VIR")]))
    with pytest.raises(ValidationError) as caught:
        services.match_line(line=BankLine.objects.get(), actor=owner, allocations=[(foreign.pk, None)])
    assert caught.value.message_dict["invoice_ids"] == ["Facture introuvable."]


def test_bulk_confirmation_takes_only_the_sure_ones(business, owner, invoices):
    do_import(
        business,
        owner,
        statements.camt053(
            [(DAY, "1200.00", "FACT 2024-031"), (DAY, "300.00", "VIREMENT"), (DAY, "80.00", "GARAGE PETIT")]
        ),
    )
    result = services.confirm_sure_matches(business=business, actor=owner)
    assert (result.matched, result.failed) == (2, [])
    assert list(BankLine.objects.filter(status="open").values_list("text", flat=True)) == ["VIREMENT"]


def test_ignoring_a_line(business, owner, invoices):
    do_import(business, owner, statements.camt053([(DAY, "9.99", "REMBOURSEMENT")]))
    line = services.ignore_line(line=BankLine.objects.get(), actor=owner)
    assert line.status == BankLine.Status.IGNORED
    assert queries.lines_with_proposals(business) == []


def test_an_unconfirmed_line_warns_before_a_reminder_of_the_invoice(business, owner, invoices):
    draft = make_reminder(business, owner, status=Reminder.Status.DRAFT, invoices=[invoices[0]])
    assert queries.reminder_warnings(draft) == []
    do_import(business, owner, statements.camt053([(DAY, "1200.00", "VIR ACME FACT 2024-031")]))
    [warning] = queries.reminder_warnings(draft)
    assert warning.text == (
        "Un virement du 12/11 de 1\u202f200,00\u202f€ « VIR ACME FACT 2024-031 » pourrait régler la facture "
        "n° 2024-031 : rapprochez-le avant d’envoyer."
    )
    assert warning.url == f"/banque/#ligne-{BankLine.objects.get().pk}"
    # Another invoice of the client is not concerned; once confirmed, the warning goes.
    other = make_reminder(business, owner, status=Reminder.Status.DRAFT, invoices=[invoices[2]])
    assert queries.reminder_warnings(other) == []
    services.match_line(line=BankLine.objects.get(), actor=owner, allocations=[(invoices[0].pk, None)])
    assert queries.reminder_warnings(draft) == []


def test_a_line_imported_before_the_invoice_fell_due_does_not_warn(business, owner, acme):
    invoice = make_invoice(
        business,
        acme,
        amount="200.00",
        number="2026-100",
        issue_date=dt.date(2026, 11, 20),
        due_date=dt.date(2026, 12, 20),
    )
    do_import(business, owner, statements.camt053([(dt.date(2026, 11, 21), "200.00", "FACT 2026-100")]))
    assert queries.unconfirmed_payments(business, [invoice]) == []
