"""Importing invoices from a spreadsheet in Chromium: upload, mapping, a dry run with one bad row,
the corrected file, the commit, and the invoices among the late payments."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from imports.csv_services import receive_csv, start_csv_run
from ledger.models import Invoice
from tests.browser.axe import axe_report


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.browser
def test_import_invoices_fix_a_bad_row_then_see_them_late(
    signed_in_page: Page, live_server: Any, media_root: Path, tmp_path: Path
) -> None:
    page = signed_in_page
    issued = timezone.localdate() - dt.timedelta(days=90)
    due = issued + dt.timedelta(days=30)
    # "Réf." names no field Relance knows: the user maps it by hand.
    rows = [
        "Réf.;Client;Date;Échéance;Montant TTC",
        f"A-101;Boulangerie Martin;{issued:%d/%m/%Y};{due:%d/%m/%Y};1 250,00",
        f"A-102;Boulangerie Martin;31/02/{issued:%Y};{due:%d/%m/%Y};300,00",
    ]
    bad = tmp_path / "ventes.csv"
    bad.write_text("\n".join(rows) + "\n", encoding="cp1252")
    fixed = tmp_path / "ventes-corrige.csv"
    fixed.write_text(
        "\n".join([*rows[:2], rows[2].replace(f"31/02/{issued:%Y}", f"{issued:%d/%m/%Y}")]) + "\n", "cp1252"
    )

    page.goto("/factures/")
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer")
    expect(page.get_by_label("Factures")).to_be_checked()
    page.get_by_label("Fichier CSV", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Envoyer le fichier").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import de ventes.csv")
    expect(page.locator(".import-facts")).to_contain_text("Windows-1252")
    expect(page.locator(".import-facts")).to_contain_text("point-virgule")
    expect(page.get_by_label("Échéance")).to_have_value("3")
    page.get_by_label(re.compile(r"^N° facture")).select_option(label="Réf.")
    page.get_by_role("button", name=re.compile("Vérifier le fichier")).click()

    report = page.locator(".import-report")
    expect(report).to_contain_text("Essai : le fichier contient des erreurs")
    error_row = report.locator(".import-errors tbody tr")
    expect(error_row).to_have_count(1)
    assert squeeze(error_row.inner_text()).replace("\t", " ") == f"3 Date Date inexistante : 31/02/{issued:%Y}."
    expect(page.get_by_role("button", name=re.compile("^Importer"))).to_have_count(0)

    page.get_by_role("button", name="Envoyer un fichier corrigé").click()
    page.get_by_label("Fichier CSV", exact=True).set_input_files(fixed)
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_label(re.compile(r"^N° facture")).select_option(label="Réf.")
    page.get_by_role("button", name=re.compile("Vérifier le fichier")).click()
    expect(page.locator(".import-report")).to_contain_text("Essai réussi")
    assert not Invoice.objects.exists()

    page.get_by_role("button", name="Importer les 2 lignes").click()
    expect(page.locator(".message-success")).to_contain_text("Import terminé")
    expect(page.locator(".import-report")).to_contain_text("Résultat de l’import")
    page.get_by_role("link", name="Voir les retards de paiement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Retards de paiement")
    late = page.locator(".card", has=page.get_by_role("heading", name="Dont en retard"))
    assert squeeze(late.locator(".figure").inner_text()) == "1 550,00 €"
    expect(late).to_contain_text("2 factures")


@pytest.mark.browser
def test_import_pages_have_no_serious_accessibility_violation(
    signed_in_page: Page, user: Any, media_root: Path
) -> None:
    text = "N° facture;Client;Date;Montant TTC\nF-1;Dupont;01/09/2026;100,00\nF-2;Dupont;31/09/2026;100,00\n"
    upload = SimpleUploadedFile("ventes.csv", text.encode())
    fresh = receive_csv(business=user.business, actor=user, kind="invoices", upload=upload)
    checked = receive_csv(business=user.business, actor=user, kind="invoices", upload=upload)
    checked = start_csv_run(csv_import=checked, actor=user, dry_run=True)
    assert checked.error_count == 1
    assert (
        axe_report(signed_in_page, ["/importer/", f"/importer/csv/{fresh.pk}/", f"/importer/csv/{checked.pk}/"]) == {}
    )
