"""Two imports of one statement, and two confirmations of one line, at the same instant: every
line is kept once and paid once, whatever the order the database lets them in."""

import datetime as dt

import pytest

from bank import services
from bank.models import BankLine, BankStatement
from core.errors import Conflict
from ledger.models import Payment
from tests.bank import statements
from tests.concurrency.racing import Outcome, new_invoices, race
from tests.factories import make_client

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8
DAY = dt.date(2026, 11, 12)


def test_two_imports_of_one_statement_keep_each_line_once(business, owner):
    files = [
        statements.banque_postale_csv(
            [(DAY, f"{100 + n}.00", f"VIR CLIENT {n}"), (DAY, "50.00", "VIR X"), (DAY, "50.00", "VIR X")]
        )
        for n in range(ROUNDS)
    ]
    results = race(
        ROUNDS,
        lambda i: services.import_statement(business=business, actor=owner, upload=files[i]),
        lambda i: services.import_statement(business=business, actor=owner, upload=files[i]),
    )
    for round_, (first, second) in enumerate(results):
        # The first file brings its three lines; the later ones only their own transfer.
        assert sorted([first.created, second.created]) == [0, 3 if round_ == 0 else 1]
        assert first.statement.pk == second.statement.pk
    assert BankStatement.objects.count() == ROUNDS
    # "VIR X" twice per file: the same two lines in every file, kept once.
    assert BankLine.objects.count() == ROUNDS + 2


def test_two_overlapping_statements_at_once_keep_the_shared_lines_once(business, owner):
    shared = [(DAY, "75.00", f"VIR PARTAGE {n}", f"S{n}") for n in range(3)]
    results = race(
        ROUNDS,
        lambda i: services.import_statement(
            business=business, actor=owner, upload=statements.ofx_sgml([*shared, (DAY, "1.00", f"A{i}", f"A{i}")])
        ),
        lambda i: services.import_statement(
            business=business, actor=owner, upload=statements.ofx_sgml([*shared, (DAY, "2.00", f"B{i}", f"B{i}")])
        ),
    )
    assert results[0][0].created + results[0][1].created == 5
    assert BankLine.objects.filter(bank_key__startswith="id:S").count() == 3
    assert BankLine.objects.count() == 3 + 2 * ROUNDS


def test_two_confirmations_of_one_line_pay_once(business, owner):
    invoices = new_invoices(business, make_client(business), count=2 * ROUNDS)
    data = statements.camt053([(DAY, "1000.00", f"VIR {n}", f"L{n}") for n in range(ROUNDS)])
    services.import_statement(business=business, actor=owner, upload=data)
    lines = list(BankLine.objects.order_by("bank_key"))
    results = race(
        ROUNDS,
        lambda i: Outcome(
            lambda: services.match_line(line=lines[i], actor=owner, allocations=[(invoices[2 * i].pk, None)])
        ),
        lambda i: Outcome(
            lambda: services.match_line(line=lines[i], actor=owner, allocations=[(invoices[2 * i + 1].pk, None)])
        ),
    )
    for first, second in results:
        assert sorted([first.ok, second.ok]) == [False, True]
        loser = first if not first.ok else second
        assert isinstance(loser.error, Conflict)
        assert loser.conflict == "Cette ligne du relevé est déjà rapprochée : elle ne peut pas servir deux fois."
    assert Payment.objects.count() == ROUNDS
    assert set(BankLine.objects.values_list("status", flat=True)) == {"matched"}
