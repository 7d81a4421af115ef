"""Importing the business's own e-invoices (Factur-X PDF, CII or UBL XML) into the books.

Every write goes through `ledger.services`, so that an imported invoice obeys the same rules as
one typed in (numbers unique, totals that add up, no VAT in VAT franchise, dates in bounds, a
readable PDF of at most 5 Mo).

An invoice is a document that cannot be changed once issued (corrections are made by a credit
note: art. 242 nonies A de l’annexe II au CGI), so an import never overwrites the books: a number
already in them with the same content is left unchanged (an import can be run twice), and only
what was missing is filled in — the original PDF, the payment terms in the notes, the client's
blank fields; a number already in them with a different content is refused, naming what differs.
A credit note (type 381…) is recorded on the invoice it refers to.
"""

import dataclasses
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import transaction
from lxml import etree

from accounts.models import Business, User
from core.errors import Conflict, NotFound
from core.formats import money
from imports.einvoice_xml import DOCTYPE, XML_MAX_BYTES, EInvoice, EInvoiceError, Party, read_einvoice
from ledger import services
from ledger.models import Client, CreditNote, Invoice
from ledger.validators import INVOICE_PDF_MAX_BYTES, validate_invoice_pdf

MAX_FILES = 50
MAX_FILE_BYTES = INVOICE_PDF_MAX_BYTES
MAX_TOTAL_BYTES = 50 * 1024 * 1024
FACTURX_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"]

Outcome = Literal["created", "updated", "credited", "unchanged", "refused"]

# The ledger's field names, as the user reads them in a refusal.
FIELD_LABELS = {
    "name": "nom du client",
    "siren": "SIREN du client",
    "email": "e-mail du client",
    "postal_code": "code postal du client",
    "number": "numéro",
    "issue_date": "date de facture",
    "due_date": "échéance",
    "total_excl_tax": "total HT",
    "vat_amount": "TVA",
    "total_incl_tax": "total TTC",
    "amount": "montant",
    "pdf": "PDF",
}
COUNTRIES = {"FR": "France", "BE": "Belgique", "CH": "Suisse", "LU": "Luxembourg", "DE": "Allemagne"}


@dataclasses.dataclass
class FileReport:
    """What became of one file: invoice created or updated (completed), credit note recorded,
    nothing to do, or refused and why."""

    name: str
    outcome: Outcome
    message: str = ""
    invoice: Invoice | None = None


def refusal(message: str) -> ValidationError:
    return ValidationError({"file": message})


# One file


def import_einvoice(*, business: Business, actor: User | None, name: str, content: bytes) -> tuple[Invoice, Outcome]:
    """Create or complete the invoice an e-invoice file describes; ValidationError or Conflict otherwise.

    One transaction: the client, the invoice and its PDF are all stored, or nothing.
    """
    pdf, xml = _split(name, content)
    try:
        document = read_einvoice(xml)
    except EInvoiceError as error:
        raise refusal(str(error)) from None
    _check_document(business, document)
    try:
        with transaction.atomic():
            if document.is_credit_note:
                return _import_credit_note(business, actor, document)
            upload = SimpleUploadedFile(name, pdf, "application/pdf") if pdf else None
            return _import_invoice(business, actor, document, upload)
    except ValidationError as error:
        raise _as_file_error(error) from None


def _split(name: str, content: bytes) -> tuple[bytes, bytes]:
    """(the PDF or b"", the e-invoice's XML)."""
    if len(content) > MAX_FILE_BYTES:
        raise refusal("Le fichier dépasse 5 Mo : une facture électronique est bien plus légère.")
    if content.startswith(b"%PDF-"):
        try:
            validate_invoice_pdf(SimpleUploadedFile(name, content, "application/pdf"))
        except ValidationError as error:
            raise refusal(" ".join(error.messages)) from None
        return content, _facturx_xml(content)
    if content.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith((b"<", b"\x00<", b"<\x00")):
        return b"", content
    raise refusal("Format non reconnu : envoyez une facture Factur-X (PDF), CII ou UBL (XML).")


def _facturx_xml(pdf: bytes) -> bytes:
    from facturx import get_xml_from_pdf

    # The factur-x package parses the attachment with lxml's default parser: for this call (and
    # this thread only) the default is the safe one, and the XML is parsed again by ours after.
    etree.set_default_parser(etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False))
    try:
        _filename, xml = get_xml_from_pdf(pdf, check_xsd=False, filenames=FACTURX_NAMES)
    except Exception:
        # pypdf raises many exception types on damaged files; any of them means unreadable.
        raise refusal("Ce PDF est illisible ou endommagé : exportez-le à nouveau.") from None
    finally:
        etree.set_default_parser()
    if not xml:
        if _declares_entities(pdf):
            raise refusal("Le XML Factur-X de ce PDF déclare un DOCTYPE ou des entités : refusé par sécurité.")
        raise refusal(
            "Ce PDF ne contient pas de facture électronique Factur-X : importez le fichier Factur-X, "
            "ou saisissez la facture et joignez-lui ce PDF."
        )
    return bytes(xml)


def _declares_entities(pdf: bytes) -> bool:
    """Whether the PDF's Factur-X attachment was skipped for declaring entities (the parser
    refuses an amplification outright, and the package then reports no XML at all)."""
    from pypdf import PdfReader

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachment_list
        return any(
            DOCTYPE.search(attachment.content[:XML_MAX_BYTES])
            for attachment in attachments
            if attachment.name.lower() in FACTURX_NAMES
        )
    except Exception:
        # pypdf raises many exception types on damaged files: then nothing can be said.
        return False


def _check_document(business: Business, document: EInvoice) -> None:
    if document.currency != "EUR":
        raise refusal(f"Facture en {document.currency[:3]} : seules les factures en euros sont suivies.")
    if not seller_is(business, document.seller):
        raise refusal(
            f"Le vendeur de cette facture ({_party_label(document.seller)}) n’est pas votre entreprise "
            f"({_business_label(business)}) : seules vos propres factures de vente peuvent être importées."
        )
    if not document.buyer.name:
        raise refusal("Le nom de l’acheteur manque dans la facture électronique.")


def _as_file_error(error: ValidationError) -> ValidationError:
    """The ledger's field errors as one message at the file, each named after its field."""
    if not hasattr(error, "error_dict"):
        return refusal(" ".join(error.messages))
    parts = []
    for field, messages in error.message_dict.items():
        text = " ".join(messages)
        label = FIELD_LABELS.get(field)
        parts.append(f"{label.capitalize()} : {text}" if label and field != "file" else text)
    return refusal(" ".join(parts))


# Who the seller is


def _normalized_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    if words and words[-1] == "ei":
        words = words[:-1]
    return " ".join(words)


def _normalized_vat(number: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", number.upper())


def seller_is(business: Business, seller: Party) -> bool:
    """The business's identifiers decide when both sides have them (SIREN, then VAT number, whose
    French form FRkk + SIREN carries the SIREN too); the name only when none is shared."""
    siren = business.siren
    seller_siren = seller.siren
    seller_vat = _normalized_vat(seller.vat_number)
    if not seller_siren and re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", seller_vat):
        seller_siren = seller_vat[4:]
    if siren and seller_siren:
        return siren == seller_siren
    if business.vat_number and seller_vat:
        return _normalized_vat(business.vat_number) == seller_vat
    names = {_normalized_name(n) for n in (business.legal_name, business.trade_name, business.display_name) if n}
    return bool(seller.name) and _normalized_name(seller.name) in names


def _party_label(party: Party) -> str:
    details = [party.name or "sans nom"]
    if party.siren:
        details.append(f"SIREN {party.siren}")
    elif party.vat_number:
        details.append(f"TVA {party.vat_number}")
    return ", ".join(details)


def _business_label(business: Business) -> str:
    return f"{business.display_name}, SIREN {business.siren}" if business.siren else business.display_name


# The client


def _client_data(buyer: Party) -> dict[str, Any]:
    email = buyer.email
    try:
        validate_email(email)
    except ValidationError:
        email = ""  # an address the ledger would refuse is left out rather than refusing the invoice
    country = COUNTRIES.get(buyer.country_code.upper(), buyer.country_code) if buyer.country_code else ""
    data = {
        "name": buyer.name,
        "siren": buyer.siren,
        "email": email,
        "address_line1": buyer.address_line1,
        "address_line2": buyer.address_line2,
        "postal_code": buyer.postal_code,
        "city": buyer.city,
        "country": country,
    }
    return {field: value for field, value in data.items() if value}


def _matching_client(business: Business, buyer: Party) -> Client | None:
    clients = Client.objects.filter(business=business)
    if buyer.siren:
        found = clients.filter(siren=buyer.siren).order_by("id").first()
        if found is not None:
            return found
    for client in clients.filter(name__iexact=buyer.name).order_by("id"):
        # A namesake with another SIREN is another company.
        if not (buyer.siren and client.siren and client.siren != buyer.siren):
            return client
    return None


def _client_for(business: Business, actor: User | None, buyer: Party) -> tuple[Client, bool]:
    """The buyer's client, created or with its blank fields filled in; (client, changed)."""
    data = _client_data(buyer)
    client = _matching_client(business, buyer)
    if client is None:
        return services.create_client(business=business, actor=actor, **data), True
    blanks = {field: value for field, value in data.items() if not getattr(client, field)}
    if not blanks:
        return client, False
    return services.update_client(client=client, actor=actor, **blanks), True


def _same_client(client: Client, buyer: Party) -> bool:
    if buyer.siren and client.siren:
        return client.siren == buyer.siren
    return _normalized_name(client.name) == _normalized_name(buyer.name)


# The invoice


def _terms_note(document: EInvoice) -> str:
    return f"Conditions de paiement : {document.payment_terms}" if document.payment_terms else ""


def _differences(invoice: Invoice, document: EInvoice) -> list[str]:
    pairs: list[tuple[str, object, object]] = [
        ("date de facture", invoice.issue_date, document.issue_date),
        ("total HT", invoice.total_excl_tax, document.total_excl_tax),
        ("TVA", invoice.vat_amount, document.vat_amount),
        ("total TTC", invoice.total_incl_tax, document.total_incl_tax),
    ]
    if document.due_date is not None:
        pairs.append(("échéance", invoice.due_date, document.due_date))
    differences = [f"{label} {_shown(new)} au lieu de {_shown(old)}" for label, old, new in pairs if old != new]
    if not _same_client(invoice.client, document.buyer):
        differences.append(f"client « {document.buyer.name} » au lieu de « {invoice.client.name} »")
    return differences


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return money(value)
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def _import_invoice(
    business: Business, actor: User | None, document: EInvoice, pdf: SimpleUploadedFile | None
) -> tuple[Invoice, Outcome]:
    existing = Invoice.objects.select_related("client", "business").filter(business=business, number=document.number)
    invoice = existing.first()
    if invoice is None:
        client, _changed = _client_for(business, actor, document.buyer)
        created = services.create_invoice(
            business=business,
            actor=actor,
            client=client,
            number=document.number,
            issue_date=document.issue_date,
            due_date=document.due_date,
            total_excl_tax=document.total_excl_tax,
            vat_amount=document.vat_amount,
            total_incl_tax=document.total_incl_tax,
            notes=_terms_note(document),
            **({"pdf": pdf} if pdf else {}),
        )
        return created, "created"
    differences = _differences(invoice, document)
    if differences:
        raise Conflict(
            f"La facture n° {document.number} est déjà enregistrée avec un contenu différent "
            f"({'; '.join(differences)}). Une facture émise ne se modifie pas : corrigez-la par un avoir."
        )
    _client, client_changed = _client_for(business, actor, document.buyer)
    changes: dict[str, Any] = {}
    if pdf and not invoice.pdf:
        changes["pdf"] = pdf
    if document.payment_terms and not invoice.notes:
        changes["notes"] = _terms_note(document)
    # A cancelled invoice, or one a reminder quotes, stays as it is (the ledger refuses to edit it).
    if changes and invoice.cancelled_at is None and not services.invoice_is_locked(invoice):
        invoice = services.update_invoice(invoice=invoice, actor=actor, **changes)
        return invoice, "updated"
    return invoice, "updated" if client_changed else "unchanged"


def _import_credit_note(business: Business, actor: User | None, document: EInvoice) -> tuple[Invoice, Outcome]:
    if not document.preceding_invoice:
        raise refusal(
            f"L’avoir n° {document.number} ne cite pas la facture qu’il corrige : "
            "enregistrez-le depuis la page de la facture."
        )
    invoice = (
        Invoice.objects.select_related("client", "business")
        .filter(business=business, number=document.preceding_invoice)
        .first()
    )
    if invoice is None:
        raise refusal(
            f"L’avoir n° {document.number} corrige la facture n° {document.preceding_invoice}, "
            "absente de vos factures : importez d’abord la facture."
        )
    stored = CreditNote.objects.filter(business=business, number=document.number).first()
    if stored is not None:
        if stored.invoice_id == invoice.pk and stored.amount == document.total_incl_tax:
            return invoice, "unchanged"
        raise Conflict(f"Un avoir n° {document.number} est déjà enregistré avec un contenu différent.")
    services.record_credit_note(
        invoice=invoice,
        actor=actor,
        number=document.number,
        date=document.issue_date,
        amount=document.total_incl_tax,
        reason="Avoir importé d’une facture électronique",
    )
    invoice.refresh_from_db()
    return invoice, "credited"


# Several files, or a ZIP of them


def unpack(name: str, content: bytes) -> list[tuple[str, bytes | ValidationError]]:
    """The files of an upload: itself, or the entries of a ZIP (bounded), each with its content or
    the reason it is refused. A ZIP that breaks the bounds is refused whole."""
    if not content.startswith(b"PK\x03\x04"):
        return [(name, content)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [info for info in archive.infolist() if not info.is_dir() and not _is_noise(info.filename)]
    except (zipfile.BadZipFile, ValueError, OSError):
        return [(name, refusal("Cette archive ZIP est illisible ou endommagée."))]
    if len(entries) > MAX_FILES:
        return [(name, refusal(f"L’archive contient {len(entries)} fichiers : {MAX_FILES} au plus par envoi."))]
    if sum(info.file_size for info in entries) > MAX_TOTAL_BYTES:
        return [(name, refusal("L’archive dépasse 50 Mo une fois décompressée : envoyez-la en plusieurs fois."))]
    files: list[tuple[str, bytes | ValidationError]] = []
    for info in entries:
        entry_name = info.filename
        if _is_unsafe(entry_name):
            files.append((entry_name, refusal("Chemin de fichier interdit dans l’archive : fichier ignoré.")))
            continue
        if info.flag_bits & 0x1:
            files.append((entry_name, refusal("Fichier chiffré dans l’archive : il ne peut pas être lu.")))
            continue
        if info.file_size > MAX_FILE_BYTES:
            files.append(
                (entry_name, refusal("Le fichier dépasse 5 Mo : une facture électronique est bien plus légère."))
            )
            continue
        try:
            with archive.open(info) as stream:
                # Read one byte past the bound: the size an entry declares may be a lie.
                data = stream.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            files.append((entry_name, refusal("Ce fichier de l’archive est illisible ou endommagé.")))
            continue
        if len(data) > MAX_FILE_BYTES:
            files.append(
                (entry_name, refusal("Le fichier dépasse 5 Mo : une facture électronique est bien plus légère."))
            )
            continue
        if data.startswith(b"PK\x03\x04"):
            files.append((entry_name, refusal("Archive dans l’archive : décompressez-la d’abord.")))
            continue
        files.append((entry_name, data))
    return files


def _is_noise(filename: str) -> bool:
    """The files an archiver adds beside the user's (macOS resource forks, hidden files)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return filename.startswith("__MACOSX/") or base.startswith(".")


def _is_unsafe(filename: str) -> bool:
    parts = filename.replace("\\", "/").split("/")
    return filename.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", filename))


def import_einvoice_files(
    *, business: Business, actor: User | None, uploads: Iterable[tuple[str, bytes]]
) -> list[FileReport]:
    """Each file imported on its own (one refused leaves the others), with a report per file."""
    reports: list[FileReport] = []
    for upload_name, upload_content in uploads:
        for name, content in unpack(upload_name, upload_content):
            if len(reports) >= MAX_FILES:
                reports.append(FileReport(name, "refused", f"Plus de {MAX_FILES} fichiers : envoyez la suite à part."))
                break
            if isinstance(content, ValidationError):
                reports.append(FileReport(name, "refused", " ".join(content.messages)))
                continue
            try:
                invoice, outcome = import_einvoice(business=business, actor=actor, name=name, content=content)
            except ValidationError as error:
                reports.append(FileReport(name, "refused", " ".join(error.messages)))
            except (Conflict, NotFound) as error:
                reports.append(FileReport(name, "refused", str(error)))
            else:
                reports.append(FileReport(name, outcome, invoice=invoice))
    return reports
