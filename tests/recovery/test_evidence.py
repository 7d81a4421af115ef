"""The evidence pack (ZIP) and the claim summary (PDF) of a case, read back and checked against
the frozen letters and the penalty computation of `relance penalties`."""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from dunning import services as dunning_services
from dunning.models import Reminder
from ledger import services as ledger_services
from recovery import evidence, services
from recovery.models import CollectionCase
from tests.factories import make_client, make_invoice, make_reminder, pdf_bytes, upload

PARIS = ZoneInfo("Europe/Paris")
# A day whose half-year rates are published (the statement needs them).
DAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def known_rates_day() -> Iterator[dt.date]:
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=PARIS), tick=False):
        yield DAY


@pytest.fixture
def scanned() -> bytes:
    return pdf_bytes()


@pytest.fixture
def case(business, owner, media_root, scanned) -> CollectionCase:
    client = make_client(business, name="Boulangerie Durand", siren="732829320", email="compta@durand.fr")
    first = make_invoice(
        business,
        client,
        number="F-2025-120",
        amount="1000.00",
        issue_date=dt.date(2025, 12, 16),
        due_date=dt.date(2026, 1, 15),
    )
    second = make_invoice(
        business,
        client,
        number="F-2025-130",
        amount="450.00",
        issue_date=dt.date(2025, 12, 20),
        due_date=dt.date(2026, 1, 20),
    )
    ledger_services.update_invoice(invoice=first, actor=owner, pdf=upload("f120.pdf", scanned, "application/pdf"))
    with time_machine.travel(dt.datetime(2026, 2, 2, 10, 0, tzinfo=PARIS), tick=False):
        make_reminder(business, owner, invoices=[first, second], level=1)
    with time_machine.travel(dt.datetime(2026, 2, 16, 10, 0, tzinfo=PARIS), tick=False):
        notice = make_reminder(business, owner, invoices=[first, second], level=3)
    dunning_services.record_registered_letter(
        reminder=notice, actor=owner, number="1A 234 567 8901 2", receipt_date=dt.date(2026, 2, 20)
    )
    agency = services.create_agency(business=business, actor=owner, name="Recouvr’Express", commission_rate="12.5")
    case = services.open_case(
        business=business,
        actor=owner,
        invoice_ids=[first.pk, second.pk],
        agency=agency,
        transmitted_on=dt.date(2026, 3, 1),
    )
    services.add_event(case=case, actor=owner, status="partially_recovered", date=dt.date(2026, 3, 10), amount="300.00")
    return case


def read_zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    return re.sub(r"[ \t\u202f\u00a0]+", " ", text)


def test_pack_holds_every_frozen_letter_as_stored_and_a_true_manifest(owner_client, case, scanned):
    response = owner_client.get(reverse("recovery:case_evidence", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="dossier-recouvrement-' in response["Content-Disposition"]
    files = read_zip(response.content)
    reminders = list(Reminder.objects.order_by("frozen_at", "id"))
    assert len(reminders) == 2
    for reminder in reminders:
        letter = files[f"relances/{reminder.pdf_filename}"]
        assert hashlib.sha256(letter).hexdigest() == reminder.pdf_sha256
    assert files["factures/facture-f-2025-120.pdf"] == scanned
    assert {"recapitulatif-creance.pdf", "decompte-penalites.pdf", "chronologie.csv", "preuves-d-envoi.csv"} <= set(
        files
    )
    manifest = rows(files["manifeste.csv"])
    assert manifest[0] == ["Fichier", "Octets", "SHA-256"]
    listed = {name: (size, digest) for name, size, digest in manifest[1:]}
    assert set(listed) == set(files) - {"manifeste.csv"}
    for name, (size, digest) in listed.items():
        assert (int(size), digest) == (len(files[name]), hashlib.sha256(files[name]).hexdigest())


def test_proof_of_sending_and_timeline(case):
    files = read_zip(evidence.evidence_zip(case, DAY))
    proofs = {row[0]: row for row in rows(files["preuves-d-envoi.csv"])[1:]}
    notice = Reminder.objects.get(level=3)
    row = proofs[notice.reference]
    assert row[1] == "Mise en demeure"
    assert row[7:9] == ["1A 234 567 8901 2", "2026-02-20"]
    assert row[10] == notice.pdf_sha256
    assert row[3] == "2026-02-16T10:00:00+01:00"  # Paris time, with its offset
    timeline = rows(files["chronologie.csv"])
    assert [line[:3] for line in timeline[1:]] == [
        ["2026-03-01", "Transmise", "0.00"],
        ["2026-03-10", "Partiellement recouvrée", "300.00"],
    ]


def penalties_command(invoice, until: dt.date) -> dict[str, str]:
    arguments = [
        "penalties",
        "--amount",
        str(invoice.total_incl_tax),
        "--due-date",
        invoice.due_date.isoformat(),
        "--until",
        until.isoformat(),
        "--debtor",
        invoice.client.kind,
    ]
    for payment in invoice.payments.order_by("date", "id"):
        arguments += ["--payment", f"{payment.date.isoformat()}:{payment.amount}"]
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    return json.loads(out.getvalue())


def test_claim_summary_figures_equal_the_penalties_command(owner_client, case):
    found = evidence.claims(case, DAY)
    assert not found.missing_rate
    response = owner_client.get(reverse("recovery:case_summary", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for claim in found.items:
        expected = penalties_command(claim.invoice, DAY)
        assert (f"{claim.principal:.2f}", f"{claim.interest:.2f}", f"{claim.indemnity:.2f}") == (
            expected["outstanding"],
            expected["interest"],
            expected["indemnity"],
        )
        shown = " ".join(
            f"{value}".replace(".", ",") + " €" for value in (claim.principal, claim.interest, claim.indemnity)
        )
        assert f"{claim.invoice.number} " in text and shown in text
    # The 300 € recovered went to the oldest invoice: its principal is 700 €.
    assert [f"{claim.principal:.2f}" for claim in found.items] == ["700.00", "450.00"]
    assert "SIREN 732 829 320" in text
    assert "article L441-10 du Code de commerce" in text and "D441-5" in text
    assert "Tribunal de commerce" in text and "Cerfa n° 12946" in text
    assert "decompte-penalites.pdf" in text and "relances/relance-" in text


def test_consumer_debtor_goes_to_the_tribunal_judiciaire(business, owner, media_root):
    consumer = make_client(business, kind="consumer", name="M. Martin")
    invoice = make_invoice(
        business, consumer, amount="800.00", issue_date=dt.date(2025, 12, 1), due_date=dt.date(2026, 1, 1)
    )
    case = services.open_case(
        business=business, actor=owner, invoice_ids=[invoice.pk], agency=None, transmitted_on=dt.date(2026, 3, 1)
    )
    text = pdf_text(evidence.render_claim_summary(case, DAY))
    assert "Tribunal judiciaire" in text and "Cerfa n° 12948" in text
    assert "Particulier (consommateur)" in text
    assert "1231-6 et 1344-1 du" in text
    assert "Procédure judiciaire menée par le créancier" in text


def test_unknown_rate_leaves_the_interest_out_and_says_why(case):
    later = dt.date(2026, 8, 15)  # the second half of 2026 has no published rate in the tables
    found = evidence.claims(case, later)
    assert found.missing_rate
    assert all(claim.interest is None for claim in found.items)
    files = read_zip(evidence.evidence_zip(case, later))
    assert "decompte-penalites.pdf" not in files
    assert "Intérêts non calculés" in pdf_text(files["recapitulatif-creance.pdf"])
