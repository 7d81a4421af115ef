"""Proposals: by reference first, then by exact amount and client name, with a confidence."""

import datetime as dt
from decimal import Decimal

from bank import matching
from bank.matching import CHECK, PROBABLE, SURE, Candidates, OpenInvoice


def invoice(pk: int, number: str, amount: str, client: int = 1, name: str = "ACME SARL", due: int = 1) -> OpenInvoice:
    return OpenInvoice(pk, number, client, name, Decimal(amount), dt.date(2026, 10, due))


def propose(amount: str, text: str, *invoices: OpenInvoice, references=None):
    return matching.propose(Decimal(amount), text, Candidates(list(invoices), references or {}))


def test_an_invoice_number_in_the_text_is_a_sure_match_at_its_amount():
    proposal = propose(
        "1200.00", "VIR SEPA ACME FACT 2024-031", invoice(1, "2024-031", "1200.00"), invoice(2, "2024-032", "1200.00")
    )
    assert (proposal.confidence, proposal.reason, proposal.invoice_ids) == (SURE, "reference", [1])


def test_a_reminder_reference_names_all_its_invoices():
    invoices = [invoice(1, "F-1", "100.00"), invoice(2, "F-2", "50.00"), invoice(3, "F-3", "75.00")]
    proposal = propose("150.00", "VIREMENT R-2026-0007 MERCI", *invoices, references={"R-2026-0007": [1, 2]})
    assert proposal.confidence == SURE
    assert [(item.invoice.id, item.amount) for item in proposal.allocations] == [
        (1, Decimal("100.00")),
        (2, Decimal("50.00")),
    ]


def test_less_than_due_with_a_reference_is_a_probable_partial_payment():
    proposal = propose("400.00", "FACT 2024-031", invoice(1, "2024-031", "1200.00"))
    assert proposal.confidence == PROBABLE
    assert [(item.invoice.id, item.amount) for item in proposal.allocations] == [(1, Decimal("400.00"))]


def test_short_numbers_are_not_found_inside_longer_ones():
    invoices = [invoice(1, "31", "99.00"), invoice(2, "2024-031", "500.00"), invoice(3, "131", "77.00")]
    assert propose("500.00", "VIR FACT 2024-031", *invoices).invoice_ids == [2]
    # "31" alone is a day or an amount; after FACT it is the invoice.
    assert propose("12.00", "VIR DU 31 OCTOBRE", *invoices) is None
    assert propose("99.00", "REGLEMENT FACT 31", *invoices).invoice_ids == [1]
    assert matching.number_in_text("F-131", "FACTURE F-1310") is False
    assert matching.number_in_text("2024-031", "REF 2024031") is True


def test_exact_amount_and_client_name_is_sure():
    invoices = [
        invoice(1, "F-1", "480.00", client=1, name="Boulangerie Durand"),
        invoice(2, "F-2", "480.00", client=2, name="Garage Petit"),
    ]
    proposal = propose("480.00", "VIR SEPA BOULANGERIE DURAND", *invoices)
    assert (proposal.confidence, proposal.reason, proposal.invoice_ids) == (SURE, "amount_and_name", [1])


def test_exact_amount_alone_is_probable_and_ambiguous_amounts_are_to_check():
    assert propose("480.00", "VIREMENT", invoice(1, "F-1", "480.00")).confidence == PROBABLE
    ambiguous = propose(
        "480.00",
        "VIREMENT",
        invoice(1, "F-1", "480.00", client=1),
        invoice(2, "F-2", "480.00", client=2, name="Garage"),
    )
    assert (ambiguous.confidence, ambiguous.invoice_ids) == (CHECK, [1])


def test_a_sum_of_several_invoices_of_the_named_client():
    invoices = [
        invoice(1, "F-1", "100.00", due=1),
        invoice(2, "F-2", "250.00", due=2),
        invoice(3, "F-3", "40.00", due=3),
        invoice(4, "F-4", "350.00", client=2, name="Autre"),
    ]
    proposal = propose("290.00", "VIR ACME", *invoices)
    assert proposal.invoice_ids == [2, 3]
    assert proposal.confidence == PROBABLE
    everything = propose("390.00", "VIR ACME", *invoices)
    assert (everything.confidence, everything.invoice_ids) == (SURE, [1, 2, 3])


def test_nothing_matches():
    assert propose("12.34", "VIR INCONNU", invoice(1, "F-1", "100.00")) is None
    assert (
        propose(
            "12.34",
            "VIR",
        )
        is None
    )


def test_legal_forms_and_accents_do_not_stop_a_name():
    assert matching.name_in_text(matching.name_key("Société Écluse SARL"), "VIR ECLUSE") is True
    assert matching.name_in_text(matching.name_key("Garage Petit"), "VIR PETIT") is False
