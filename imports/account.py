"""Restoring a full-account export (a ZIP of `account.json` and the invoices' PDFs) into a new business.

The format is described in docs/account-archive.md. Everything is written through the services
that own the rows (`accounts.services.update_business`, `ledger.services`), so that the restored
books obey the same rules as the ones typed in; and in one transaction: a single refused row
leaves the business as empty as it was. Reminders and the audit log of the export are history
of the former account: they are not replayed (the restore writes its own audit log).
"""

import dataclasses
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import IO, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts import services as account_services
from accounts.models import Business, User
from core.errors import Conflict, NotFound
from ledger import services
from ledger.models import Client, Invoice, Payment
from ledger.validators import INVOICE_PDF_MAX_BYTES

FORMAT = "relance-account"
VERSION = 1
MANIFEST = "account.json"
MAX_ENTRIES = 200_000
MAX_MANIFEST_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024 * 1024

# The settings that describe the business (its logo is a file of its own, not restored).
BUSINESS_FIELDS = [
    "legal_name", "trade_name", "ei_mention", "siret", "address_line1", "address_line2", "postal_code", "city",
    "country", "phone", "email", "website", "iban", "bic", "vat_status", "vat_number", "activity",
    "payment_terms", "payment_terms_days", "penalty_terms", "contract_rate", "signature_name", "signature_title",
    "sender_name", "reply_to_email", "bcc_self", "bucket_bounds", "bucket_basis",
]  # fmt: skip
CLIENT_FIELDS = [
    "kind", "name", "contact_name", "email", "phone", "address_line1", "address_line2", "postal_code", "city",
    "country", "siren", "notes",
]  # fmt: skip

T = TypeVar("T")


@dataclasses.dataclass
class RestoreReport:
    clients: int = 0
    invoices: int = 0
    pdfs: int = 0
    payments: int = 0
    credit_notes: int = 0


def refusal(message: str) -> ValidationError:
    return ValidationError({"file": message})


# Reading the archive


def _open(archive: IO[bytes]) -> zipfile.ZipFile:
    try:
        zip_file = zipfile.ZipFile(archive)
        entries = zip_file.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refusal("Ce fichier n’est pas une archive ZIP lisible : envoyez l’export du compte tel quel.") from None
    if len(entries) > MAX_ENTRIES:
        raise refusal(f"L’archive contient plus de {MAX_ENTRIES} fichiers : ce n’est pas un export de Relance.")
    if sum(info.file_size for info in entries) > MAX_TOTAL_BYTES:
        raise refusal("L’archive dépasse 20 Go une fois décompressée : ce n’est pas un export de Relance.")
    return zip_file


def _read(zip_file: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The entry's bytes, at most `limit` (read one past it: the size an entry declares may lie)."""
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or ".." in parts or "\\" in name:
        raise refusal(f"Chemin interdit dans l’archive : « {name[:100]} ».")
    try:
        info = zip_file.getinfo(name)
    except KeyError:
        raise refusal(f"Fichier absent de l’archive : « {name[:100]} ».") from None
    if info.flag_bits & 0x1:
        raise refusal(f"Fichier chiffré dans l’archive : « {name[:100]} ».")
    try:
        with zip_file.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise refusal(f"Fichier illisible dans l’archive : « {name[:100]} ».") from None
    if len(data) > limit:
        raise refusal(f"Fichier trop volumineux dans l’archive : « {name[:100]} ».")
    return data


def read_manifest(zip_file: zipfile.ZipFile) -> dict[str, Any]:
    try:
        account = json.loads(_read(zip_file, MANIFEST, MAX_MANIFEST_BYTES))
    except ValidationError:
        raise refusal(f"Ce ZIP ne contient pas « {MANIFEST} » : ce n’est pas un export de compte Relance.") from None
    except (ValueError, RecursionError):
        raise refusal(f"« {MANIFEST} » est illisible : le JSON est mal formé.") from None
    if not isinstance(account, dict) or account.get("format") != FORMAT:
        raise refusal(f"« {MANIFEST} » n’est pas un export de compte Relance (format « {FORMAT} » attendu).")
    if account.get("version") != VERSION:
        raise refusal(
            f"Version {str(account.get('version'))[:10]} de l’export non prise en charge (version {VERSION} attendue)."
        )
    for key in ("clients", "invoices", "payments", "credit_notes"):
        if not isinstance(account.get(key, []), list):
            raise refusal(f"« {MANIFEST} » : « {key} » doit être une liste.")
    if not isinstance(account.get("business", {}), dict):
        raise refusal(f"« {MANIFEST} » : « business » doit être un objet.")
    return account


# Values of the manifest


class _Row:
    """One object of the manifest, read field by field with a French message naming the row."""

    def __init__(self, kind: str, index: int, data: Any) -> None:
        self.where = f"{kind} n° {index + 1}"
        if not isinstance(data, dict):
            raise refusal(f"« {MANIFEST} », {self.where} : un objet est attendu.")
        self.data = data

    def fail(self, message: str) -> ValidationError:
        return refusal(f"« {MANIFEST} », {self.where} : {message}")

    def get(self, key: str, kind: type[T], default: T | None = None) -> T:
        value = self.data.get(key, default)
        if value is None and default is None:
            raise self.fail(f"« {key} » manque.")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"« {key} » a un type inattendu.")
        return value

    def text(self, key: str) -> str:
        return self.get(key, str, "")

    def optional(self, key: str, parse: Callable[[str], T]) -> T | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"« {key} » a un type inattendu.")
        try:
            return parse(value)
        except ValueError:
            raise self.fail(f"« {key} » est illisible ({value[:30]}).") from None

    def date(self, key: str) -> dt.date:
        value = self.optional(key, dt.date.fromisoformat)
        if value is None:
            raise self.fail(f"« {key} » manque.")
        return value


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _with_row(row: _Row, error: ValidationError) -> ValidationError:
    return row.fail(" ".join(error.messages))


# Restoring


def business_is_empty(business: Business) -> bool:
    return (
        not Client.objects.filter(business=business).exists() and not Invoice.objects.filter(business=business).exists()
    )


def restore_account(*, business: Business, actor: User | None, archive: IO[bytes] | bytes) -> RestoreReport:
    """Restore the export into `business`, which must have no client and no invoice yet."""
    zip_file = _open(io.BytesIO(archive) if isinstance(archive, bytes) else archive)
    account = read_manifest(zip_file)
    if not business_is_empty(business):
        raise Conflict(
            "Cette entreprise a déjà des clients ou des factures : un compte se restaure dans une entreprise vide, "
            "créée pour l’occasion."
        )
    stored_pdfs: list[str] = []
    try:
        with transaction.atomic():
            # Taken first: two restores into one business take turns, and the second finds it full.
            Business.objects.select_for_update().filter(pk=business.pk).first()
            if not business_is_empty(business):
                raise Conflict("Cette entreprise a déjà des clients ou des factures.")
            return _restore(business, actor, account, zip_file, stored_pdfs)
    except BaseException:
        # The rows are rolled back; the PDF files written meanwhile are not part of the transaction.
        for name in stored_pdfs:
            default_storage.delete(name)
        raise


def _restore(
    business: Business, actor: User | None, account: dict[str, Any], zip_file: zipfile.ZipFile, stored_pdfs: list[str]
) -> RestoreReport:
    report = RestoreReport()
    settings = {key: value for key, value in account.get("business", {}).items() if key in BUSINESS_FIELDS}
    if settings:
        try:
            account_services.update_business(business=business, actor=actor, **settings)
        except ValidationError as error:
            raise refusal(f"« {MANIFEST} », entreprise : {' '.join(error.messages)}") from None
        business.refresh_from_db()

    clients: dict[int, Client] = {}
    for index, data in enumerate(account.get("clients", [])):
        row = _Row("client", index, data)
        client_id = row.get("id", int)
        try:
            client = services.create_client(
                business=business, actor=actor, **{key: row.text(key) for key in CLIENT_FIELDS if key in row.data}
            )
            if row.data.get("reminders_paused"):
                client = services.restore_client_pause(
                    client=client,
                    actor=actor,
                    reason=row.text("pause_reason"),
                    until=row.optional("pause_until", dt.date.fromisoformat),
                )
        except ValidationError as error:
            raise _with_row(row, error) from None
        clients[client_id] = client
        report.clients += 1

    invoices: dict[int, tuple[Invoice, _Row]] = {}
    for index, data in enumerate(account.get("invoices", [])):
        row = _Row("facture", index, data)
        invoice_id = row.get("id", int)
        owner = clients.get(row.get("client_id", int))
        if owner is None:
            raise row.fail("son client (« client_id ») n’est pas dans l’export.")
        fields: dict[str, Any] = {
            "client": owner,
            "number": row.text("number"),
            "issue_date": row.date("issue_date"),
            "due_date": row.date("due_date"),
            "total_excl_tax": row.get("total_excl_tax", str),
            "vat_amount": row.get("vat_amount", str, "0.00"),
            "total_incl_tax": row.get("total_incl_tax", str),
            "notes": row.text("notes"),
        }
        pdf_name = row.data.get("pdf")
        if pdf_name is not None:
            if not isinstance(pdf_name, str):
                raise row.fail("« pdf » a un type inattendu.")
            content = _read(zip_file, pdf_name, INVOICE_PDF_MAX_BYTES)
            fields["pdf"] = SimpleUploadedFile(PurePosixPath(pdf_name).name, content, "application/pdf")
        try:
            invoice = services.create_invoice(business=business, actor=actor, **fields)
        except ValidationError as error:
            raise _with_row(row, error) from None
        if invoice.pdf.name:
            stored_pdfs.append(invoice.pdf.name)
            report.pdfs += 1
        invoices[invoice_id] = (invoice, row)
        report.invoices += 1

    def invoice_of(row: _Row) -> Invoice:
        found = invoices.get(row.get("invoice_id", int))
        if found is None:
            raise row.fail("sa facture (« invoice_id ») n’est pas dans l’export.")
        return found[0]

    payments = [_Row("règlement", index, data) for index, data in enumerate(account.get("payments", []))]
    for row in payments:
        method = row.text("method") or Payment.Method.TRANSFER
        if method not in Payment.Method.values:
            raise row.fail(f"moyen de paiement inconnu « {method[:30]} ».")
        try:
            services.record_payment(
                invoice=invoice_of(row),
                actor=actor,
                date=row.date("date"),
                amount=row.get("amount", str),
                method=method,
                reference=row.text("reference"),
            )
        except (ValidationError, Conflict, NotFound) as error:
            raise _with_row(row, error if isinstance(error, ValidationError) else ValidationError(str(error))) from None
        report.payments += 1

    for index, data in enumerate(account.get("credit_notes", [])):
        row = _Row("avoir", index, data)
        try:
            services.record_credit_note(
                invoice=invoice_of(row),
                actor=actor,
                number=row.text("number"),
                date=row.date("date"),
                amount=row.get("amount", str),
                reason=row.text("reason"),
            )
        except (ValidationError, Conflict, NotFound) as error:
            raise _with_row(row, error if isinstance(error, ValidationError) else ValidationError(str(error))) from None
        report.credit_notes += 1

    # The states last: a cancelled invoice takes no more payments or credit notes.
    for invoice, row in invoices.values():
        try:
            restored = services.restore_invoice_state(
                invoice=invoice,
                actor=actor,
                cancelled_at=row.optional("cancelled_at", dt.datetime.fromisoformat),
                cancel_reason=row.text("cancel_reason"),
                disputed=row.get("disputed", bool, False),
                dispute_reason=row.text("dispute_reason"),
                reminders_paused_until=row.optional("reminders_paused_until", dt.date.fromisoformat),
            )
        except ValidationError as error:
            raise _with_row(row, error) from None
        expected = row.data.get("amount_due")
        if expected is not None and _decimal(expected) != restored.amount_due:
            raise row.fail(
                f"le reste dû recalculé ({restored.amount_due}) diffère de celui de l’export ({str(expected)[:20]}) : "
                "l’export est incomplet ou a été modifié."
            )
    return report
