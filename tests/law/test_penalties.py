"""The penalty computation through the pure function: the acceptance cases and the product's
late-payment rules (Code de commerce L441-10)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from law.penalties import Payment, compute_penalties, parse_penalty_request
from law.rates import HalfYear, LawError, MissingRate, RateTables

D = Decimal
day = dt.date.fromisoformat

# The acceptance cases 1–7 of the late-payment law: inputs and the figures they must give.
ACCEPTANCE = {
    1: (
        {
            "amount": "15000.00",
            "due_date": "2024-01-01",
            "until": "2024-01-31",
            "debtor": "business",
            "contract_rate": "15",
        },
        {"days_late": 30, "interest": "184.93", "indemnity": "40.00"},
    ),
    2: (
        {"amount": "1000.00", "due_date": "2026-01-15", "until": "2026-03-15", "debtor": "business"},
        {"days_late": 59, "interest": "19.64", "indemnity": "40.00", "penalties": "59.64"},
    ),
    3: (
        {"amount": "1000.00", "due_date": "2025-06-15", "until": "2025-08-15", "debtor": "business"},
        {"interest": "20.71"},
    ),
    4: (
        {
            "amount": "1000.00",
            "due_date": "2025-09-15",
            "until": "2025-10-31",
            "debtor": "consumer",
            "notice_date": "2025-10-01",
        },
        {"interest": "2.27", "indemnity": "0.00"},
    ),
    5: (
        {"amount": "1000.00", "due_date": "2025-09-15", "until": "2025-10-31", "debtor": "consumer"},
        {"interest": "0.00", "indemnity": "0.00"},
    ),
    6: (
        {"amount": "500.00", "due_date": "2026-02-01", "until": "2026-02-01", "debtor": "business"},
        {"days_late": 0, "interest": "0.00", "indemnity": "0.00"},
    ),
    7: (
        {"amount": "500.00", "due_date": "2026-02-01", "until": "2026-02-02", "debtor": "business"},
        {"days_late": 1, "interest": "0.17", "indemnity": "40.00"},
    ),
}
CASE_8 = {"amount": "1000.00", "due_date": "2026-07-15", "until": "2026-09-15", "debtor": "business"}
CASE_8_ERROR = "Le taux BCE du second semestre 2026 n’est pas connu"


def compute(tables: RateTables, **data: Any) -> dict[str, Any]:
    return compute_penalties(tables=tables, **parse_penalty_request(data)).as_json()


@pytest.mark.parametrize("case", sorted(ACCEPTANCE))
def test_acceptance_case(tables: RateTables, case: int) -> None:
    inputs, expected = ACCEPTANCE[case]
    result = compute(tables, **inputs)
    assert {key: result[key] for key in expected} == expected


def test_acceptance_case_2_is_one_segment_at_ecb_plus_ten(tables: RateTables) -> None:
    result = compute(tables, **ACCEPTANCE[2][0])
    assert [(s["start"], s["end"], s["days"], s["rate"]) for s in result["segments"]] == [
        ("2026-01-16", "2026-03-15", 59, "12.15")
    ]


def test_acceptance_case_3_gives_the_exact_json(tables: RateTables) -> None:
    assert compute(tables, **ACCEPTANCE[3][0]) == {
        "days_late": 61,
        "interest": "20.71",
        "indemnity": "40.00",
        "penalties": "60.71",
        "outstanding": "1000.00",
        "segments": [
            {
                "start": "2025-06-16",
                "end": "2025-06-30",
                "days": 15,
                "rate": "13.15",
                "base": "1000.00",
                "interest": "5.40",
            },
            {
                "start": "2025-07-01",
                "end": "2025-08-15",
                "days": 46,
                "rate": "12.15",
                "base": "1000.00",
                "interest": "15.31",
            },
        ],
        "warnings": [],
    }


def test_acceptance_case_4_is_thirty_days_at_the_legal_rate_autres_cas(tables: RateTables) -> None:
    result = compute(tables, **ACCEPTANCE[4][0])
    assert [(s["start"], s["end"], s["days"], s["rate"]) for s in result["segments"]] == [
        ("2025-10-02", "2025-10-31", 30, "2.76")
    ]


def test_acceptance_case_8_needs_an_unknown_ecb_rate(tables: RateTables) -> None:
    with pytest.raises(MissingRate, match=CASE_8_ERROR) as caught:
        compute(tables, **CASE_8)
    assert caught.value.half_year == HalfYear(2026, 2)


def test_contract_rate_below_the_floor_is_applied_with_a_french_warning(tables: RateTables) -> None:
    result = compute(tables, **ACCEPTANCE[1][0])
    assert result["segments"][0]["rate"] == "15.00"
    assert result["warnings"] == [
        "Le taux contractuel (15,00\u202f%) est inférieur au minimum légal du premier semestre 2024 : "
        "15,21\u202f%, soit 3 fois le taux de l’intérêt légal (art. L441-10 du Code de commerce)."
    ]


def test_contract_rate_above_the_floor_gives_no_warning(tables: RateTables) -> None:
    result = compute(tables, **{**ACCEPTANCE[1][0], "contract_rate": "15.21"})
    assert result["warnings"] == []


def test_contract_rate_is_checked_against_the_floor_of_each_half_year(tables: RateTables) -> None:
    # The floor is 14.76 % in 2024 S2 (12 % is below) and 11.13 % in 2025 S1 (12 % is above).
    result = compute(
        tables, amount="1000.00", due_date="2024-12-15", until="2025-01-15", debtor="business", contract_rate="12"
    )
    assert [s["rate"] for s in result["segments"]] == ["12.00", "12.00"]
    assert len(result["warnings"]) == 1
    assert "second semestre 2024" in result["warnings"][0]


def test_contract_rate_needs_no_ecb_rate_but_warns_when_the_floor_is_unknown(tables: RateTables) -> None:
    result = compute(tables, **{**CASE_8, "contract_rate": "12.00"})
    assert result["interest"] == "20.38"  # 1000 × 12 % × 62/365
    assert "impossible de vérifier" in result["warnings"][0]


def test_segments_are_cut_at_1_january(tables: RateTables) -> None:
    result = compute(tables, amount="1000.00", due_date="2024-12-20", until="2025-01-10", debtor="business")
    assert [(s["start"], s["end"], s["rate"]) for s in result["segments"]] == [
        ("2024-12-21", "2024-12-31", "14.25"),
        ("2025-01-01", "2025-01-10", "13.15"),
    ]


def test_a_payment_on_day_p_still_counts_as_unpaid_on_p(tables: RateTables) -> None:
    result = compute(
        tables,
        amount="1000.00",
        due_date="2025-06-15",
        until="2025-08-15",
        debtor="business",
        payments=[{"date": "2025-07-10", "amount": "1000.00"}],
    )
    assert [(s["start"], s["end"], s["days"]) for s in result["segments"]] == [
        ("2025-06-16", "2025-06-30", 15),
        ("2025-07-01", "2025-07-10", 10),
    ]
    assert result["interest"] == "8.73"  # 5.40 + 1000 × 12.15 % × 10/365 = 5.40 + 3.33
    assert result["outstanding"] == "0.00"
    assert result["indemnity"] == "40.00"
    assert result["days_late"] == 61


def test_a_partial_payment_cuts_a_segment_even_where_the_rate_does_not_change(tables: RateTables) -> None:
    result = compute(
        tables,
        amount="1000.00",
        due_date="2025-07-15",
        until="2025-08-15",
        debtor="business",
        payments=[{"date": "2025-07-25", "amount": "400.00"}],
    )
    assert [(s["start"], s["end"], s["days"], s["base"], s["rate"]) for s in result["segments"]] == [
        ("2025-07-16", "2025-07-25", 10, "1000.00", "12.15"),
        ("2025-07-26", "2025-08-15", 21, "600.00", "12.15"),
    ]
    assert result["interest"] == "7.52"  # 3.33 + 4.19
    assert result["outstanding"] == "600.00"


def test_partly_paid_on_time_still_owes_the_indemnity_on_the_rest(tables: RateTables) -> None:
    result = compute(
        tables,
        amount="1000.00",
        due_date="2025-07-15",
        until="2025-08-14",
        debtor="business",
        payments=[{"date": "2025-07-15", "amount": "900.00"}],
    )
    assert result["indemnity"] == "40.00"
    assert result["segments"][0]["base"] == "100.00"


def test_paid_in_full_by_the_due_date_owes_nothing(tables: RateTables) -> None:
    result = compute(
        tables,
        amount="1000.00",
        due_date="2025-07-15",
        until="2027-01-01",  # beyond the tables: nothing is computed, so nothing is missing
        debtor="business",
        payments=[{"date": "2025-07-01", "amount": "600.00"}, {"date": "2025-07-15", "amount": "400.00"}],
    )
    assert (result["interest"], result["indemnity"], result["segments"], result["outstanding"]) == (
        "0.00",
        "0.00",
        [],
        "0.00",
    )


def test_outstanding_ignores_payments_after_until(tables: RateTables) -> None:
    result = compute(
        tables,
        amount="1000.00",
        due_date="2025-07-15",
        until="2025-07-31",
        debtor="business",
        payments=[{"date": "2025-08-10", "amount": "1000.00"}],
    )
    assert result["outstanding"] == "1000.00"
    assert result["segments"][0]["base"] == "1000.00"


def test_until_before_the_due_date_gives_zero(tables: RateTables) -> None:
    result = compute(tables, amount="1000.00", due_date="2025-07-15", until="2025-07-01", debtor="business")
    assert (result["days_late"], result["interest"], result["indemnity"], result["segments"]) == (0, "0.00", "0.00", [])


def test_consumer_interest_runs_only_from_the_day_after_the_notice(tables: RateTables) -> None:
    result = compute(
        tables, amount="1000.00", due_date="2025-12-15", until="2026-02-15", debtor="consumer", notice_date="2025-12-20"
    )
    assert [(s["start"], s["end"], s["rate"]) for s in result["segments"]] == [
        ("2025-12-21", "2025-12-31", "2.76"),
        ("2026-01-01", "2026-02-15", "2.62"),
    ]
    assert result["indemnity"] == "0.00"


def test_consumer_notice_before_the_due_date_runs_from_the_day_after_the_due_date(tables: RateTables) -> None:
    result = compute(
        tables, amount="1000.00", due_date="2025-10-01", until="2025-10-31", debtor="consumer", notice_date="2025-09-20"
    )
    assert result["segments"][0]["start"] == "2025-10-02"
    assert "avant l’échéance" in result["warnings"][0]


def test_consumer_without_notice_says_interest_does_not_run_yet(tables: RateTables) -> None:
    result = compute(tables, **ACCEPTANCE[5][0])
    assert result["warnings"] == [
        "Aucune mise en demeure reçue : les intérêts au taux légal ne courent pas encore (art. 1344-1 du Code civil)."
    ]


def test_consumer_ignores_a_contract_rate_and_says_so(tables: RateTables) -> None:
    result = compute(tables, **{**ACCEPTANCE[4][0], "contract_rate": "12"})
    assert result["interest"] == "2.27"
    assert "ne s’applique pas à un particulier" in result["warnings"][0]


def test_consumer_with_unknown_legal_rate_raises(tables: RateTables) -> None:
    with pytest.raises(MissingRate, match="taux de l’intérêt légal du second semestre 2026"):
        compute(
            tables,
            amount="100.00",
            due_date="2026-06-01",
            until="2026-07-02",
            debtor="consumer",
            notice_date="2026-06-10",
        )


def test_penalties_is_interest_plus_indemnity(tables: RateTables) -> None:
    result = compute_penalties(
        tables=tables, amount=D("1000.00"), due_date=day("2025-06-15"), until=day("2025-08-15"), debtor="business"
    )
    assert result.penalties == result.interest + result.indemnity == D("60.71")
    assert result.rates == [D("13.15"), D("12.15")]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Le montant doit être supérieur à zéro."),
        ({"amount": "-5"}, "amount", "Le montant doit être supérieur à zéro."),
        ({"amount": "10.005"}, "amount", "Le montant doit avoir au plus deux décimales."),
        ({"amount": "abc"}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        ({"amount": True}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        ({"amount": "1e999999"}, "amount", "Le montant est trop élevé."),
        ({"amount": "NaN"}, "amount", "Le montant doit être un nombre, par exemple 1000.00."),
        (
            {"due_date": "15/06/2025"},
            "due_date",
            "L’échéance doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        (
            {"until": "2025-02-30"},
            "until",
            "La date de calcul doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        (
            {"until": None},
            "until",
            "La date de calcul doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        (
            {"debtor": "particulier"},
            "debtor",
            "Le débiteur doit être « business » (client professionnel) ou « consumer » (particulier).",
        ),
        ({"contract_rate": "-1"}, "contract_rate", "Le taux contractuel doit être compris entre 0 et 100 (% par an)."),
        ({"contract_rate": "12.555"}, "contract_rate", "Le taux contractuel doit avoir au plus deux décimales."),
        (
            {"notice_date": "demain"},
            "notice_date",
            "La date de réception de la mise en demeure doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        ({"payments": "2025-07-01:10"}, "payments", "Les règlements doivent être une liste de {date, amount}."),
        (
            {"payments": [{"date": "2025-07-01"}]},
            "payments",
            "Règlement n° 1 : le montant doit être un nombre, par exemple 1000.00.",
        ),
        (
            {"payments": [{"date": "2025-07-01", "amount": "10"}, {"date": "x", "amount": "5"}]},
            "payments",
            "Règlement n° 2 : la date doit être une date au format AAAA-MM-JJ, par exemple 2025-06-15.",
        ),
        (
            {"payments": [{"date": "2025-07-01", "amount": "1000.01"}]},
            "payments",
            "Les règlements (1\u202f000,01\u202f€) dépassent le montant de la facture (1\u202f000,00\u202f€).",
        ),
    ],
)
def test_bad_input_raises_a_french_error_naming_the_field(
    tables: RateTables, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(LawError) as caught:
        compute(tables, **{**ACCEPTANCE[3][0], **changes})
    assert (caught.value.field, caught.value.message) == (field, message)


def test_numbers_are_accepted_as_json_numbers_and_french_decimal_commas(tables: RateTables) -> None:
    as_number = compute(tables, **{**ACCEPTANCE[1][0], "amount": 15000, "contract_rate": Decimal("15.0")})
    as_comma = compute(tables, **{**ACCEPTANCE[1][0], "amount": "15000,00"})
    assert as_number["interest"] == as_comma["interest"] == "184.93"


def test_compute_penalties_validates_payments_given_as_values(tables: RateTables) -> None:
    with pytest.raises(LawError, match="supérieur à zéro") as caught:
        compute_penalties(
            tables=tables,
            amount=D("100.00"),
            due_date=day("2025-06-15"),
            until=day("2025-08-15"),
            debtor="business",
            payments=[Payment(day("2025-07-01"), D("0"))],
        )
    assert caught.value.field == "payments"
