"""The CSV import through the ledger's services: dry run, all-or-nothing commit, idempotence."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Business, User
from core.models import AuditEvent
from imports import csv_import
from imports.csv_services import receive_csv, start_csv_run
from imports.models import CsvImport
from ledger import queries, services
from ledger.models import Client, Invoice, Payment
from tests.factories import make_client, make_invoice, make_user
from tests.helpers import TODAY

pytestmark = pytest.mark.usefixtures("media_root", "frozen_today")


@pytest.fixture
def business(business: Business) -> Business:
    """A business liable to VAT: the files below carry VAT."""
    business.vat_status = Business.VatStatus.VAT
    business.save()
    return business


INVOICES = (
    "N° facture;Client;SIREN;Date;Échéance;Montant HT;TVA;Montant TTC;Reste dû;Statut\n"
    "F-001;Atelier Dupont;732829320;01/09/2026;01/10/2026;1 000,00;200,00;1 200,00;1 200,00;En retard\n"
    "F-002;Atelier Dupont;732829320;2026-09-15;2026-10-15;500,00;100,00;600,00;100,00;En retard\n"
    "F-003;Jeanne Morel;;01/11/2026;01/12/2026;80,00;0,00;80,00;80,00;Non échue\n"
)


def run(business: Business, owner: User, kind: str, text: str, *, dry_run: bool, encoding: str = "utf-8") -> CsvImport:
    upload = SimpleUploadedFile("books.csv", text.encode(encoding), content_type="text/csv")
    csv_import = receive_csv(business=business, actor=owner, kind=kind, upload=upload)
    return start_csv_run(csv_import=csv_import, actor=owner, dry_run=dry_run)


def books(business: Business) -> dict[str, Any]:
    return {
        "clients": sorted(Client.objects.filter(business=business).values_list("name", "siren")),
        "invoices": sorted(
            Invoice.objects.filter(business=business).values_list(
                "number", "client__name", "issue_date", "due_date", "total_incl_tax", "amount_due"
            )
        ),
        "payments": sorted(Payment.objects.filter(business=business).values_list("invoice__number", "amount")),
    }


def test_dry_run_reports_what_the_commit_does_and_writes_nothing(business: Business, owner: User) -> None:
    checked = run(business, owner, "invoices", INVOICES, dry_run=True)
    assert checked.report() | {"id": 0} == {
        "id": 0,
        "kind": "invoices",
        "status": "done",
        "dry_run": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "clients_created": 2,
        "error_count": 0,
        "errors": [],
        "committed": False,
    }
    assert [action["label"] for action in checked.actions] == ["Facture F-001", "Facture F-002", "Facture F-003"]
    assert books(business) == {"clients": [], "invoices": [], "payments": []}
    assert not AuditEvent.objects.filter(object_type__in=["invoice", "client"]).exists()

    committed = start_csv_run(csv_import=checked, actor=owner, dry_run=False)
    assert (committed.created_count, committed.clients_created, committed.error_count) == (3, 2, 0)
    assert committed.committed_at is not None
    assert books(business) == {
        "clients": [("Atelier Dupont", "732829320"), ("Jeanne Morel", "")],
        "invoices": [
            (
                "F-001",
                "Atelier Dupont",
                dt.date(2026, 9, 1),
                dt.date(2026, 10, 1),
                Decimal("1200.00"),
                Decimal("1200.00"),
            ),
            (
                "F-002",
                "Atelier Dupont",
                dt.date(2026, 9, 15),
                dt.date(2026, 10, 15),
                Decimal("600.00"),
                Decimal("100.00"),
            ),
            ("F-003", "Jeanne Morel", dt.date(2026, 11, 1), dt.date(2026, 12, 1), Decimal("80.00"), Decimal("80.00")),
        ],
        # The 500 € already paid of F-002, as the file's "reste dû" says.
        "payments": [("F-002", Decimal("500.00"))],
    }
    created = AuditEvent.objects.filter(business=business, action="created", object_type="invoice", actor=owner)
    assert created.count() == 3


def test_reimporting_the_same_file_changes_nothing(business: Business, owner: User) -> None:
    run(business, owner, "invoices", INVOICES, dry_run=False)
    before, events = books(business), AuditEvent.objects.count()
    again = run(business, owner, "invoices", INVOICES, dry_run=False)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.error_count) == (0, 0, 3, 0)
    assert books(business) == before
    # Only the import's own two events (file received, import committed): no row touched.
    assert AuditEvent.objects.count() == events + 2


def test_a_changed_row_updates_its_invoice_through_the_service(business: Business, owner: User) -> None:
    run(business, owner, "invoices", INVOICES, dry_run=False)
    changed = INVOICES.replace("2026-10-15;500,00;100,00;600,00", "2026-10-30;500,00;100,00;600,00")
    report = run(business, owner, "invoices", changed, dry_run=False)
    assert (report.created_count, report.updated_count, report.unchanged_count) == (0, 1, 2)
    assert report.actions[1] == {"row": 3, "action": "updated", "label": "Facture F-002", "changes": ["échéance"]}
    assert Invoice.objects.get(number="F-002").due_date == dt.date(2026, 10, 30)
    assert AuditEvent.objects.filter(action="updated", object_type="invoice").count() == 1


@pytest.fixture(params=[csv_import.BATCH, 2], ids=["one batch", "batches of 2"])
def batch_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The rows of a batch are written together at its end: the report is the same whatever its size."""
    monkeypatch.setattr(csv_import, "BATCH", request.param)
    return int(request.param)


@pytest.mark.usefixtures("batch_size")
def test_errors_on_chosen_rows_give_the_exact_report_and_nothing_is_written(business: Business, owner: User) -> None:
    make_invoice(business, number="F-EXISTANTE", amount="100.00")
    before = books(business)
    text = (
        "N° facture;Client;Date;Échéance;Montant HT;TVA;Montant TTC\n"
        "F-1;Dupont;01/09/2026;01/10/2026;100,00;20,00;120,00\n"
        "F-2;Dupont;31/09/2026;01/10/2026;100,00;20,00;120,00\n"
        "F-3;Dupont;01/09/2026;01/08/2026;100,00;20,00;120,00\n"
        "F-4;Dupont;01/09/2026;01/10/2026;cent;20,00;120,00\n"
        "F-1;Dupont;01/09/2026;01/10/2026;100,00;20,00;120,00\n"
        "F-6;;01/09/2026;01/10/2026;100,00;20,00;130,00\n"
        "F-7;Dupont;01/09/2026;01/10/2026;100,00;20,00;130,00\n"
    )
    for dry_run in (True, False):
        report = run(business, owner, "invoices", text, dry_run=dry_run)
        assert report.errors == [
            {"row": 3, "column": "Date", "message": "Date inexistante : 31/09/2026."},
            {"row": 4, "column": "Échéance", "message": "L’échéance ne peut pas précéder la date de facture."},
            {"row": 5, "column": "Montant HT", "message": "Saisissez un montant, par exemple 1 234,56."},
            {"row": 6, "column": "N° facture", "message": "La facture n° F-1 figure déjà à la ligne 2 du fichier."},
            {"row": 7, "column": "Client", "message": "Indiquez le client."},
            {"row": 8, "column": "Montant TTC", "message": "Le total TTC doit être égal au total HT plus la TVA."},
        ]
        assert (report.error_count, report.committed_at) == (6, None)
        assert books(business) == before


def test_rows_are_written_by_the_batch_not_one_by_one(
    business: Business, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries grow with the batches, not with the rows; still one audit event per row written."""
    monkeypatch.setattr(csv_import, "BATCH", 50)
    make_client(business, name="Atelier Dupont")
    make_client(business, name="Jeanne Morel")

    def file(first: int, rows: int) -> str:
        lines = ["N° facture;Client;Date;Montant HT;TVA;Montant TTC;Reste dû"]
        for n in range(first, first + rows):
            # Every other invoice half paid: the payment that brings it to the file's "reste dû".
            lines.append(f"F-{n};{'Atelier Dupont' if n % 3 else 'Jeanne Morel'};01/09/2026;100,00;20,00;120,00;")
            lines[-1] += "60,00" if n % 2 else "120,00"
        return "\n".join(lines) + "\n"

    def queries_of(text: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            report = run(business, owner, "invoices", text, dry_run=False)
        assert (report.error_count, report.committed_at is not None) == (0, True)
        return [query["sql"] for query in captured]

    small, large = queries_of(file(0, 100)), queries_of(file(100, 200))
    # 100 rows more, two batches more: a few queries each, where a row used to cost ten.
    assert len(large) - len(small) < 40
    # One new version of the books for the whole file: the business's row is updated once.
    assert sum(sql.startswith('UPDATE "accounts_business"') for sql in large) == 1
    assert AuditEvent.objects.filter(business=business, action="created", object_type="invoice").count() == 300
    assert AuditEvent.objects.filter(business=business, action="payment_recorded").count() == 150
    assert Payment.objects.filter(business=business, amount=Decimal("60.00"), method="other").count() == 150
    assert set(Invoice.objects.filter(business=business).values_list("amount_due", flat=True)) == {
        Decimal("60.00"),
        Decimal("120.00"),
    }


def test_the_late_payment_summary_shows_the_imported_invoices(business: Business, owner: User) -> None:
    before = queries.late_payment_summary(Business.objects.get(pk=business.pk), TODAY)
    run(business, owner, "invoices", INVOICES, dry_run=False)
    after = queries.late_payment_summary(Business.objects.get(pk=business.pk), TODAY)
    assert (before.late.invoices, before.late.amount_due) == (0, Decimal("0.00"))
    assert (after.late.invoices, after.late.amount_due) == (2, Decimal("1300.00"))


def test_a_frozen_or_cancelled_invoice_is_refused_at_its_row(business: Business, owner: User) -> None:
    run(business, owner, "invoices", INVOICES, dry_run=False)
    services.mark_quoted(invoice_ids=[Invoice.objects.get(number="F-001").pk], at=timezone.now())
    services.cancel_invoice(invoice=Invoice.objects.get(number="F-003"), actor=owner, reason="Erreur")
    before, events = books(business), AuditEvent.objects.count()
    changed = INVOICES.replace("01/10/2026;1 000,00", "15/10/2026;1 000,00").replace("80,00;Non échue", "0,00;Payée")
    report = run(business, owner, "invoices", changed, dry_run=False)
    assert report.errors == [
        {
            "row": 2,
            "column": "N° facture",
            "message": "Une relance enregistrée ou envoyée cite cette facture : elle ne peut plus être modifiée "
            "(seuls les règlements, les avoirs et l’annulation restent possibles).",
        },
        {
            "row": 4,
            "column": "N° facture",
            "message": "Cette facture est annulée : aucun règlement ne peut y être enregistré.",
        },
    ]
    assert (report.unchanged_count, report.committed_at) == (1, None)
    assert books(business) == before
    # Only the file's reception: no row touched, and no "imported" for a commit refused.
    assert AuditEvent.objects.count() == events + 1


def test_a_row_refused_at_the_end_of_its_batch_frees_its_number_for_later_batches(
    business: Business, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "BATCH", 1)
    text = (
        "N° facture;Client;Date;Échéance;Montant TTC\n"
        "F-1;Dupont;01/09/2026;01/08/2026;120,00\n"
        "F-1;Dupont;01/09/2026;01/10/2026;120,00\n"
    )
    report = run(business, owner, "invoices", text, dry_run=True)
    assert report.errors == [
        {"row": 2, "column": "Échéance", "message": "L’échéance ne peut pas précéder la date de facture."}
    ]
    assert (report.created_count, report.clients_created) == (1, 1)


def test_vat_in_franchise_is_refused_by_the_ledger_rule(business: Business, owner: User) -> None:
    business.vat_status = Business.VatStatus.FRANCHISE
    business.save()
    report = run(business, owner, "invoices", INVOICES, dry_run=True)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "TVA"), (3, "TVA")]
    assert "franchise en base de TVA" in report.errors[0]["message"]


def test_windows_1252_file_with_only_a_total(business: Business, owner: User) -> None:
    text = "Numéro;Client;Date de facture;Total TTC\r\nF-9;Société Générale d’Électricité;05/01/2026;1.234,50\r\n"
    text = text.replace("’", "'")
    report = run(business, owner, "invoices", text, dry_run=False, encoding="cp1252")
    assert report.encoding == "cp1252"
    invoice = Invoice.objects.get(number="F-9")
    assert invoice.client.name == "Société Générale d'Électricité"
    assert (invoice.total_excl_tax, invoice.vat_amount, invoice.total_incl_tax) == (
        Decimal("1234.50"),
        Decimal("0.00"),
        Decimal("1234.50"),
    )
    # No due date in the file: the business's payment terms give it, as for a typed invoice.
    assert invoice.due_date > invoice.issue_date


CLIENTS = (
    "Nom;Type;Contact;Email;Téléphone;Adresse;Complément d'adresse;Code postal;Ville;Pays;SIREN\n"
    "Atelier Dupont;Professionnel;Paul Dupont;compta@dupont.test;04 78 00 00 00;3 rue Neuve;;69002;Lyon;France;"
    "732 829 320\n"
    "Jeanne Morel;Particulier;;jeanne@morel.test;;;;;;;\n"
)


def test_clients_are_upserted_by_siren_then_by_name(business: Business, owner: User) -> None:
    by_siren = make_client(business, name="Dupont (ancien nom)", siren="732829320")
    by_name = make_client(business, name="Jeanne Morel", email="")
    report = run(business, owner, "clients", CLIENTS, dry_run=False)
    assert (report.created_count, report.updated_count, report.error_count) == (0, 2, 0)
    by_siren.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_siren.name, by_siren.contact_name, by_siren.city) == ("Atelier Dupont", "Paul Dupont", "Lyon")
    assert (by_name.kind, by_name.email) == (Client.Kind.CONSUMER, "jeanne@morel.test")
    assert Client.objects.filter(business=business).count() == 2
    again = run(business, owner, "clients", CLIENTS, dry_run=False)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)


@pytest.mark.usefixtures("batch_size")
def test_a_client_named_twice_is_created_once_then_updated(business: Business, owner: User) -> None:
    text = (
        "Nom;Email;Ville\n"
        "Jeanne Morel;pas-un-email;\n"
        "Jeanne Morel;jeanne@morel.test;\n"
        "Atelier Dupont;;\n"
        "Jeanne Morel;;Lyon\n"
    )
    report = run(business, owner, "clients", text, dry_run=True)
    assert report.errors == [{"row": 2, "column": "Email", "message": "Saisissez une adresse de courriel valide."}]
    assert [(a["row"], a["action"], a["label"], a["changes"]) for a in report.actions] == [
        (3, "created", "Jeanne Morel", []),
        (4, "created", "Atelier Dupont", []),
        (5, "updated", "Jeanne Morel", ["ville"]),
    ]
    assert not Client.objects.filter(business=business).exists()


def test_client_rules_apply_to_imported_rows(business: Business, owner: User) -> None:
    text = "Nom;Email;SIRET;Type\nA;pas-un-email;;\nB;;123456789;\nC;;;grossiste\n"
    report = run(business, owner, "clients", text, dry_run=True)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "Email"), (3, "SIRET"), (4, "Type")]
    assert report.errors[1]["message"] == "Ce SIREN n’est pas valide (clé de contrôle incorrecte)."
    assert report.errors[2]["message"] == "Type « grossiste » inconnu : écrivez « Professionnel » ou « Particulier »."


PAYMENTS = (
    "N° facture;Date du règlement;Montant;Moyen de paiement;Référence\n"
    "F-1;10/10/2026;100,00;Chèque;CHQ 123\n"
    "F-1;10/10/2026;100,00;Chèque;CHQ 123\n"
    "F-2;2026-11-02;50,5;Virement;\n"
)


def test_payments_are_recorded_once_even_when_imported_twice(business: Business, owner: User) -> None:
    make_invoice(business, number="F-1", amount="500.00")
    make_invoice(business, number="F-2", amount="500.00")
    report = run(business, owner, "payments", PAYMENTS, dry_run=False)
    assert (report.created_count, report.error_count) == (3, 0)
    # Two identical cheques are two payments; importing the file again adds none.
    again = run(business, owner, "payments", PAYMENTS, dry_run=False)
    assert (again.created_count, again.unchanged_count) == (0, 3)
    assert sorted(Payment.objects.values_list("invoice__number", "amount", "method")) == [
        ("F-1", Decimal("100.00"), "cheque"),
        ("F-1", Decimal("100.00"), "cheque"),
        ("F-2", Decimal("50.50"), "transfer"),
    ]
    assert Invoice.objects.get(number="F-1").amount_due == Decimal("300.00")


def test_payments_of_one_file_are_checked_against_what_the_earlier_rows_left_due(
    business: Business, owner: User
) -> None:
    make_invoice(business, number="F-1", amount="150.00")
    text = (
        "N° facture;Date du règlement;Montant;Moyen de paiement\n"
        "F-1;10/10/2026;100,00;Virement\n"
        "F-1;10/10/2026;100,00;Virement\n"
        "F-1;11/10/2026;50,00;Virement\n"
    )
    report = run(business, owner, "payments", text, dry_run=True)
    assert report.errors == [
        {
            "row": 3,
            "column": "Montant",
            "message": "Le montant dépasse le reste dû (50,00\u202f€) : un trop-perçu est refusé.",
        }
    ]
    assert report.created_count == 2
    assert not Payment.objects.exists()


def test_payment_rules_apply_to_imported_rows(business: Business, owner: User) -> None:
    make_invoice(business, number="F-1", amount="100.00")
    text = (
        "N° facture;Date du règlement;Montant;Moyen de paiement\n"
        "F-1;10/10/2026;150,00;Virement\n"
        "F-404;10/10/2026;10,00;Virement\n"
        "F-1;10/10/2027;10,00;Virement\n"
        "F-1;10/10/2026;10,00;Bitcoin\n"
    )
    report = run(business, owner, "payments", text, dry_run=True)
    assert report.errors == [
        {
            "row": 2,
            "column": "Montant",
            "message": "Le montant dépasse le reste dû (100,00\u202f€) : un trop-perçu est refusé.",
        },
        {"row": 3, "column": "N° facture", "message": "Aucune facture n° F-404 : importez d’abord les factures."},
        {"row": 4, "column": "Date du règlement", "message": "Un règlement ne peut pas être daté dans le futur."},
        {
            "row": 5,
            "column": "Moyen de paiement",
            "message": "Moyen de paiement « Bitcoin » inconnu : virement, chèque, carte bancaire, espèces, "
            "prélèvement ou autre.",
        },
    ]


def test_a_missing_required_column_is_refused_before_any_run(business: Business, owner: User) -> None:
    from django.core.exceptions import ValidationError

    upload = SimpleUploadedFile("x.csv", b"Montant;Date\n1;01/01/2026\n")
    csv_import = receive_csv(business=business, actor=owner, kind="invoices", upload=upload)
    with pytest.raises(ValidationError) as error:
        start_csv_run(csv_import=csv_import, actor=owner, dry_run=True)
    assert error.value.message_dict == {"mapping": ["Associez une colonne du fichier à : N° facture, Client."]}


def test_the_file_is_kept_in_media_not_in_the_database(business: Business, owner: User, media_root: Path) -> None:
    report = run(business, owner, "invoices", INVOICES, dry_run=True)
    stored = media_root / report.file.name
    assert stored.read_bytes() == INVOICES.encode()
    assert report.file.name.startswith(f"imports/csv/{business.pk}/")


def test_the_history_says_imported_only_for_a_commit_that_wrote_and_names_who_committed(
    business: Business, owner: User
) -> None:
    refused = run(
        business, owner, "invoices", INVOICES.replace("1 200,00;1 200,00", "1 300,00;1 200,00"), dry_run=False
    )
    assert (refused.error_count, refused.committed_at) == (1, None)
    assert not AuditEvent.objects.filter(business=business, action="csv_import_committed").exists()

    colleague = make_user(business, email="associe@relance.test")
    upload = SimpleUploadedFile("books.csv", INVOICES.encode(), content_type="text/csv")
    received = receive_csv(business=business, actor=owner, kind="invoices", upload=upload)
    committed = start_csv_run(csv_import=received, actor=colleague, dry_run=False)
    assert committed.committed_at is not None
    events = AuditEvent.objects.filter(business=business, action="csv_import_committed")
    assert [(event.actor, event.changes) for event in events] == [(colleague, {"kind": "invoices", "rows": 3})]
    # The rows it wrote are the committer's too.
    assert set(
        AuditEvent.objects.filter(business=business, action="created", object_type="invoice").values_list(
            "actor", flat=True
        )
    ) == {colleague.pk}
