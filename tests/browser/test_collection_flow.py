"""Collection in Chromium: a late invoice, its formal notice saved and sent by registered post,
then "Mettre en recouvrement", 300 € recovered, the tab's totals and the evidence pack."""

import datetime as dt
import hashlib
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from dunning.models import Reminder
from ledger.models import Invoice
from recovery import services
from recovery.models import CollectionCase
from tests.browser.axe import axe_report, describe_violations, serious_axe_violations
from tests.factories import make_client, make_invoice, make_reminder


@pytest.mark.browser
def test_formal_notice_then_collection_then_money_then_evidence(signed_in_page: Page, user: User) -> None:
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())
    business = user.business
    assert business is not None
    client = make_client(
        business, name="Garage Lefèvre", email="", address_line1="4 rue du Port", postal_code="44000", city="Nantes"
    )
    invoice = make_invoice(
        business, client, amount="1200.00", issue_date=timezone.localdate() - dt.timedelta(days=90), number="F-2026-201"
    )
    # The friendly reminder and the second one went out before: the next is the formal notice.
    make_reminder(business, user, invoices=[invoice], level=1)
    make_reminder(business, user, invoices=[invoice], level=2)
    services.create_agency(business=business, actor=user, name="Recouvr’Express", commission_rate=Decimal("10"))
    today = timezone.localdate()

    page.goto(f"/factures/{invoice.pk}/")
    page.get_by_role("button", name=f"Relancer {client.name} pour la facture {invoice.number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relancer {client.name}")
    page.get_by_role("button", name="Aperçu").click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("enregistrée")
    notice = Reminder.objects.get(client=client, level=3)
    assert notice.status == Reminder.Status.SAVED

    page.get_by_label("N° du recommandé (LRAR)").fill("1A 123 456 7890 1")
    page.get_by_label("Date de réception (accusé)").fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer le recommandé").click()
    expect(page.locator(".message-success")).to_have_text("Recommandé enregistré.")

    page.get_by_role("button", name="Mettre en recouvrement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mettre en recouvrement : {client.name}")
    expect(page.get_by_role("checkbox", name=invoice.number)).to_be_checked()
    page.get_by_label("Confiée à").select_option(label="Recouvr’Express")
    page.get_by_label("Documents transmis").fill("Facture, mise en demeure et accusé de réception")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    case = CollectionCase.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Dossier n° {case.pk}")
    expect(page.locator(".message-success")).to_contain_text("ses factures ne sont plus relancées")

    page.get_by_label("Nouveau statut").select_option(label="Partiellement recouvrée")
    page.get_by_label("Montant recouvré (€)").fill("300")
    page.get_by_label("Note").fill("Premier virement de l’agence")
    page.get_by_role("button", name="Enregistrer l’étape").click()
    expect(page.locator(".message-success")).to_contain_text("300,00\u202f€ enregistrés comme règlement.")
    timeline = page.get_by_role("region", name="Chronologie")
    expect(timeline).to_contain_text("Partiellement recouvrée")
    expect(timeline).to_contain_text("Premier virement de l’agence")
    assert Invoice.objects.get(pk=invoice.pk).amount_due == Decimal("900.00")

    page.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(invoice.number)
    expect(page.locator(".card .figure").first).to_have_text("900,00\u202f€")
    expect(page.get_by_text("En recouvrement depuis le")).to_be_visible()

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mises en recouvrement"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mises en recouvrement")
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=f"n° {case.pk}"))
    expect(row).to_contain_text(client.name)
    expect(row).to_contain_text("Recouvr’Express")
    expect(row).to_contain_text("1\u202f200,00\u202f€")
    expect(row).to_contain_text("Partiellement recouvrée")
    totals = page.locator(".case-totals")
    expect(totals).to_contain_text("300,00\u202f€")
    expect(totals).to_contain_text("900,00\u202f€")
    expect(totals).to_contain_text("30,00\u202f€")

    row.get_by_role("link", name=f"n° {case.pk}").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Dossier de preuves (ZIP)").click()
    download = download_info.value
    assert re.fullmatch(
        rf"dossier-recouvrement-{case.pk}-garage-lefevre-\d{{4}}-\d{{2}}-\d{{2}}\.zip", download.suggested_filename
    )
    path = download.path()
    assert path is not None
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        names = archive.namelist()
        assert "recapitulatif-creance.pdf" in names and "manifeste.csv" in names
        letter = archive.read(f"relances/{notice.pdf_filename}")
        proofs = archive.read("preuves-d-envoi.csv").decode("utf-8-sig")
    notice.refresh_from_db()
    assert hashlib.sha256(letter).hexdigest() == notice.pdf_sha256
    assert "1A 123 456 7890 1" in proofs


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_recovery_pages_fit_and_have_no_serious_accessibility_violation(
    signed_in_page: Page, user: User, width: int
) -> None:
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": 900})
    business = user.business
    assert business is not None
    agency = services.create_agency(
        business=business, actor=user, name="Recouvr’Express", commission_rate=Decimal("10")
    )
    client = make_client(business, name="Boulangerie Durand et Fils")
    invoice = make_invoice(business, client, amount="3890.50", issue_date=timezone.localdate() - dt.timedelta(days=120))
    ready = make_invoice(business, make_client(business, name="Menuiserie Roux"), issue_date=invoice.issue_date)
    make_reminder(business, user, invoices=[ready], level=3)
    case = services.open_case(
        business=business, actor=user, invoice_ids=[invoice.pk], agency=agency, transmitted_on=timezone.localdate()
    )
    services.add_event(case=case, actor=user, status="partially_recovered", date=timezone.localdate(), amount="300")
    paths = ["/recouvrement/", f"/recouvrement/{case.pk}/", "/recouvrement/agences/", "/recouvrement/agences/nouvelle/"]
    assert axe_report(page, paths) == {}
    new_case = f"/recouvrement/nouveau/?invoice_ids={ready.pk}"
    page.goto(new_case)
    assert describe_violations(serious_axe_violations(page)) == ""
    paths.append(new_case)
    overflow = {}
    for path in paths:
        page.goto(path)
        overflow[path] = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert {path: extra for path, extra in overflow.items() if extra > 0} == {}
