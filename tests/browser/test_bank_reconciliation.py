"""Bank reconciliation in Chromium: a statement in, two transfers confirmed, their invoices leave
the late buckets, and the reminder of the third invoice warns about the transfer left unconfirmed."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from bank import services
from dunning import services as dunning_services
from ledger.models import Invoice
from tests.bank import statements
from tests.browser.axe import axe_report
from tests.factories import make_client, make_invoice

BUCKET = "1 à 30 jours"


def late_invoices(user: User) -> list[Invoice]:
    business = user.business
    assert business is not None
    issued = timezone.localdate() - dt.timedelta(days=45)
    return [
        make_invoice(business, make_client(business, name=name), amount=amount, issue_date=issued, number=number)
        for name, amount, number in [
            ("ACME SARL", "1200.00", "F-2026-201"),
            ("Garage Petit", "480.00", "F-2026-202"),
            ("Menuiserie Roux", "650.00", "F-2026-203"),
        ]
    ]


@pytest.mark.browser
def test_statement_matched_then_the_third_reminder_warns(signed_in_page: Page, user: User) -> None:
    page = signed_in_page
    invoices = late_invoices(user)
    paid_on = timezone.localdate() - dt.timedelta(days=2)
    statement = statements.credit_agricole_csv(
        [
            (paid_on, "1200.00", "VIR SEPA ACME FACT F-2026-201"),
            (paid_on, "480.00", "VIR SEPA GARAGE PETIT"),
            (paid_on, "650.00", "VIREMENT RECU 0047"),
            (paid_on, "-35.00", "CB STATION SERVICE"),
        ]
    )

    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Banque").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapprochement bancaire")
    page.get_by_label("Relevé bancaire (OFX, CAMT.053 ou CSV)").set_input_files(
        {"name": "CA20261127.csv", "mimeType": "text/csv", "buffer": statement}
    )
    page.get_by_role("button", name="Importer le relevé").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Relevé importé : 3 nouveaux virements reçus à rapprocher."
    )
    lines = page.locator(".bank-line")
    expect(lines).to_have_count(3)

    def line(text: str) -> Any:
        return lines.filter(has=page.locator(".bank-line-text", has_text=text))

    expect(line("FACT F-2026-201")).to_contain_text("Sûre")
    expect(line("GARAGE PETIT")).to_contain_text("Sûre")
    expect(line("VIREMENT RECU 0047")).to_contain_text("Probable")

    page.get_by_role("button", name="Confirmer les 2 rapprochements sûrs").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "2 virements rapprochés : les règlements sont enregistrés."
    )
    expect(lines).to_have_count(1)
    done = page.get_by_role("region", name="Derniers virements traités")
    expect(done.get_by_role("link", name="F-2026-201")).to_be_visible()
    expect(done.get_by_role("link", name="F-2026-202")).to_be_visible()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Retards de paiement").click()
    page.get_by_role("region", name="Tranches").get_by_role("link", name=re.compile(BUCKET)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Retard : {BUCKET}")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="F-2026-203")).to_be_visible()
    expect(results.get_by_role("link", name="F-2026-201")).to_have_count(0)
    expect(results.get_by_role("link", name="F-2026-202")).to_have_count(0)

    page.get_by_role("button", name="Relancer Menuiserie Roux pour la facture F-2026-203").click()
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu : Menuiserie Roux")
    warning = page.locator(".send-warnings")
    expect(warning).to_contain_text(
        f"Un virement du {paid_on:%d/%m} de 650,00\u202f€ « VIREMENT RECU 0047 » pourrait régler la facture "
        "n° F-2026-203 : rapprochez-le avant d’envoyer."
    )
    warning.get_by_role("link", name="Rapprocher ce virement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapprochement bancaire")
    assert invoices[2].pk


@pytest.mark.browser
def test_reconciliation_and_warned_summary_have_no_serious_accessibility_violation(
    signed_in_page: Page, user: User
) -> None:
    invoices = late_invoices(user)
    assert user.business is not None
    paid_on = timezone.localdate() - dt.timedelta(days=2)
    rows = [
        (paid_on, "1200.00", "VIR SEPA ACME FACT F-2026-201"),
        (paid_on, "650.00", "VIREMENT"),
        (paid_on, "5.00", "X"),
    ]
    services.import_statement(business=user.business, actor=user, upload=statements.camt053(rows))
    draft = dunning_services.create_reminder(business=user.business, actor=user, invoice_ids=[invoices[2].pk])
    assert axe_report(signed_in_page, ["/banque/", f"/relances/{draft.pk}/"]) == {}
    expect(signed_in_page.locator(".send-warnings")).to_contain_text("pourrait régler la facture n° F-2026-203")
