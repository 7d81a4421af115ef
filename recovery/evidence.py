"""The evidence pack of a case (ZIP) and its claim summary (PDF), ready for an agency or a court.

The pack holds the invoices (their original PDFs when uploaded), every frozen reminder exactly
as stored (with the SHA-256 taken when it was frozen and its proof of sending), the penalty
statement, the case's timeline, the claim summary, and a manifest giving every file's SHA-256,
so that whoever receives it can check nothing was altered.

The claim summary's figures come from `dunning.penalties` (the same computation as the
penalty statement, the letters and `relance penalties`); its texts reach Typst only as JSON data.
"""

import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from core.formats import long_date, money, short_date, siret
from dunning.facts_types import BusinessFacts
from dunning.letter import compile_pdf, render_statement_pdf
from dunning.models import Reminder
from dunning.penalties import indemnity_for_invoice, penalties_for_invoice
from dunning.statement import build_statement
from law.limitation import limitation_deadline
from law.penalties import CONSUMER, ZERO
from law.rates import LawError
from ledger.models import Invoice, Payment
from rates.tables import load_rate_tables
from recovery.models import CaseStatus, CollectionCase

CLAIM_TEMPLATE = Path(__file__).resolve().parent / "typst" / "claim.typ"
SUMMARY = "recapitulatif-creance.pdf"
MANIFEST = "manifeste.csv"

# Which request form and court (Code de procédure civile, art. 1405 and following). Claims
# against a consumer are civil whoever the creditor: tribunal judiciaire, Cerfa 12948. A commercial
# claim against a trader or a commercial company goes to the tribunal de commerce, Cerfa 12946.
# Sources: service-public.fr, « Injonction de payer » (F1746), and the forms on service-public.fr.
COURTS = {
    "consumer": {
        "court": "Tribunal judiciaire",
        "form": "Cerfa n° 12948 – Requête en injonction de payer devant le tribunal judiciaire",
        "why": "Votre client est un particulier : la créance est civile et relève du tribunal judiciaire.",
    },
    "business": {
        "court": "Tribunal de commerce",
        "form": "Cerfa n° 12946 – Requête en injonction de payer devant le tribunal de commerce",
        "why": (
            "Votre client est un professionnel : une créance commerciale contre un commerçant ou une société "
            "commerciale relève du tribunal de commerce. S’il n’est ni commerçant ni société commerciale "
            "(profession libérale, association…), déposez plutôt le Cerfa n° 12948 au tribunal judiciaire."
        ),
    },
}
COURT_PLACE = (
    "Le tribunal compétent est celui du lieu où demeure le débiteur (ou son siège), quelle que soit "
    "la clause de vos conditions générales (art. 1406 du Code de procédure civile)."
)


@dataclass(frozen=True)
class Claim:
    invoice: Invoice
    principal: Decimal
    interest: Decimal | None  # None: a rate the computation needs is not known yet
    indemnity: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + (self.interest or ZERO) + self.indemnity


@dataclass(frozen=True)
class Claims:
    items: list[Claim]
    missing_rate: str = ""  # why the interest is left out, in French


def _invoices(case: CollectionCase) -> list[Invoice]:
    return list(
        Invoice.objects.filter(collection_lines__case=case)
        .select_related("client", "business")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("date", "id")), "credit_notes")
        .order_by("due_date", "number")
    )


def claims(case: CollectionCase, as_of: dt.date, invoices: list[Invoice] | None = None) -> Claims:
    """Each invoice's principal still due on `as_of`, and the interest and indemnity the law
    gives on that day (Code de commerce L441-10 and D441-5; Code civil 1231-6 and 1344-1 for a
    consumer).

    When a rate the interest needs is not published yet, the principal and the 40 € indemnity
    are still claimed and the interest is left out, saying why: a claim file without its
    interest is still one an agency can act on, a wrong figure is not."""
    tables = load_rate_tables()
    result, missing = [], ""
    for invoice in invoices if invoices is not None else _invoices(case):
        try:
            penalties = penalties_for_invoice(invoice, as_of, tables)
        except LawError as error:
            missing = error.message
            result.append(
                Claim(
                    invoice=invoice,
                    principal=_outstanding_on(invoice, as_of),
                    interest=None,
                    indemnity=indemnity_for_invoice(invoice, as_of),
                )
            )
            continue
        result.append(
            Claim(
                invoice=invoice,
                principal=penalties.outstanding,
                interest=penalties.interest,
                indemnity=penalties.indemnity,
            )
        )
    return Claims(items=result, missing_rate=missing)


def _outstanding_on(invoice: Invoice, as_of: dt.date) -> Decimal:
    """What the invoice still owed on `as_of`: total less credit notes and payments until then."""
    if invoice.cancelled_at is not None:
        return ZERO
    credited = sum((note.amount for note in invoice.credit_notes.all()), ZERO)
    paid = sum((payment.amount for payment in invoice.payments.all() if payment.date <= as_of), ZERO)
    return max(invoice.total_incl_tax - credited - paid, ZERO)


def _legal_basis(consumer: bool) -> list[str]:
    if consumer:
        return [
            "Intérêts moratoires au taux de l’intérêt légal à compter de la mise en demeure "
            "(articles 1231-6 et 1344-1 du Code civil).",
            "Aucune indemnité forfaitaire pour frais de recouvrement n’est due par un consommateur.",
        ]
    return [
        "Pénalités de retard dues de plein droit dès le lendemain de l’échéance, sans rappel, au taux "
        "directeur de la BCE majoré de 10 points ou au taux convenu (article L441-10 du Code de commerce).",
        "Indemnité forfaitaire pour frais de recouvrement de 40 € par facture payée en retard "
        "(articles L441-10 et D441-5 du Code de commerce).",
    ]


def _creditor(business: Any) -> dict[str, Any]:
    facts = BusinessFacts.from_business(business)
    lines = list(facts.address_lines)
    if facts.siret:
        label = "SIREN" if len(facts.siret.replace(" ", "")) == 9 else "SIRET"
        lines.append(f"{label} {siret(facts.siret)}")
    lines.extend(item for item in (facts.email, facts.phone) if item)
    return {"name": facts.name, "lines": lines}


def _debtor(client: Any) -> dict[str, Any]:
    lines = list(client.address_lines)
    if client.siren:
        lines.append(f"SIREN {siret(client.siren)}")
    lines.extend(item for item in (client.email, client.phone) if item)
    kind = "Particulier (consommateur)" if client.is_consumer else "Professionnel"
    return {"name": client.name, "lines": lines, "kind": kind}


def claim_summary_payload(case: CollectionCase, as_of: dt.date, found: Claims, enclosed: list[str]) -> dict[str, Any]:
    consumer = case.client.kind == CONSUMER
    court = COURTS["consumer" if consumer else "business"]
    items = found.items
    rows = [
        {
            "number": claim.invoice.number,
            "dates": f"{short_date(claim.invoice.issue_date)} / {short_date(claim.invoice.due_date)}",
            "principal": money(claim.principal),
            "interest": "n.c." if claim.interest is None else money(claim.interest),
            "indemnity": "—" if consumer else money(claim.indemnity),
            "total": money(claim.total),
        }
        for claim in items
    ]
    principal = sum((claim.principal for claim in items), ZERO)
    interest = sum((claim.interest or ZERO for claim in items), ZERO)
    interest_text = "n.c." if found.missing_rate else money(interest)
    indemnity = sum((claim.indemnity for claim in items), ZERO)
    deadlines = [limitation_deadline(claim.invoice.due_date, case.client.kind) for claim in items]
    return {
        "title": f"Récapitulatif de créance – {case.client.name}",
        "author": BusinessFacts.from_business(case.business).name,
        "heading": "Récapitulatif de créance",
        "subtitle": f"arrêté au {long_date(as_of)} – dossier n° {case.pk}, transmis le {long_date(case.transmitted_on)}",
        "creditor": _creditor(case.business),
        "debtor": _debtor(case.client),
        "rows": rows,
        "totals": {
            "principal": money(principal),
            "interest": interest_text,
            "indemnity": "—" if consumer else money(indemnity),
            "total": money(principal + interest + indemnity),
        },
        "legal_basis": _legal_basis(consumer),
        "court": court["court"],
        "form": court["form"],
        "court_why": court["why"],
        "court_place": COURT_PLACE,
        "limitation": (
            f"Prescription de la facture la plus ancienne le {long_date(min(deadlines))} "
            f"({'2 ans, art. L218-2 du Code de la consommation' if consumer else '5 ans, art. L110-4 du Code de commerce'})."
            if deadlines
            else ""
        ),
        "enclosed": enclosed,
        "missing_rate": (
            f"Intérêts non calculés (n.c.) : {found.missing_rate} Le principal et l’indemnité restent dus ; "
            "les intérêts pourront être ajoutés dès la publication du taux."
            if found.missing_rate
            else ""
        ),
        "handled_by": (
            f"Dossier confié à l’agence de recouvrement {case.agency.name}."
            if case.agency
            else "Procédure judiciaire menée par le créancier, sans agence de recouvrement."
        ),
    }


def render_claim_summary(case: CollectionCase, as_of: dt.date) -> bytes:
    """The claim summary alone, listing the documents the evidence pack of the same day holds."""
    return _claim_summary(case, as_of, _invoices(case))[1]


def _claim_summary(
    case: CollectionCase, as_of: dt.date, invoices: list[Invoice]
) -> tuple[list[tuple[str, bytes]], bytes]:
    files = _documents(case, as_of, invoices)
    enclosed = [name for name, _content in files] + [MANIFEST]
    payload = claim_summary_payload(case, as_of, claims(case, as_of, invoices), enclosed)
    return files, compile_pdf(CLAIM_TEMPLATE, payload, as_of)


def _moment(value: dt.datetime | None) -> str:
    """Paris time with its offset: what the user saw on the pages, unambiguous for anyone else."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    # Semicolons and a BOM: what a French spreadsheet opens as columns, accents intact.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _read(field: Any) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            content: bytes = handle.read()
            return content
    except (FileNotFoundError, OSError):
        return None


def case_reminders(case: CollectionCase) -> list[Reminder]:
    """Every saved or sent reminder about the case's invoices, deactivated ones included (they
    reached the client all the same), the oldest first."""
    return list(
        Reminder.objects.frozen()
        .filter(business_id=case.business_id, lines__invoice__collection_lines__case=case)
        .distinct()
        .order_by("frozen_at", "id")
    )


def timeline_csv(case: CollectionCase) -> bytes:
    rows = [["Date", "Statut", "Montant recouvré", "Note", "Enregistré le"]]
    for event in case.events.order_by("date", "id"):
        rows.append(
            [
                event.date.isoformat(),
                str(CaseStatus(event.status).label),
                f"{event.amount:.2f}",
                event.note,
                _moment(event.created_at),
            ]
        )
    return _csv(rows)


def _documents(case: CollectionCase, as_of: dt.date, invoices: list[Invoice]) -> list[tuple[str, bytes]]:
    """Every file of the pack but the claim summary and the manifest, which list them."""
    files: list[tuple[str, bytes]] = []
    for invoice in invoices:
        content = _read(invoice.pdf)
        if content is not None:
            files.append((f"factures/facture-{slugify(invoice.number) or invoice.pk}.pdf", content))
    proofs = [
        [
            "Référence",
            "Niveau",
            "Canal",
            "Enregistrée le",
            "Envoyée le",
            "Destinataire",
            "Message-ID",
            "N° de recommandé (LRAR)",
            "Reçue le (accusé de réception)",
            "Fichier",
            "SHA-256 à l’enregistrement",
        ]
    ]
    for reminder in case_reminders(case):
        name = f"relances/{reminder.pdf_filename}"
        content = _read(reminder.pdf)
        if content is not None:
            files.append((name, content))
        proofs.append(
            [
                reminder.reference,
                str(reminder.get_level_display()),
                str(reminder.get_channel_display()),
                _moment(reminder.frozen_at),
                _moment(reminder.sent_at),
                reminder.recipient_email,
                reminder.message_id,
                reminder.registered_number,
                reminder.receipt_date.isoformat() if reminder.receipt_date else "",
                name if content is not None else "",
                reminder.pdf_sha256,
            ]
        )
    files.append(("preuves-d-envoi.csv", _csv(proofs)))
    late = [invoice for invoice in invoices if invoice.due_date < as_of]
    if late:
        try:
            statement = build_statement(
                business=case.business,
                client=case.client,
                invoices=late,
                as_of=as_of,
                reference=f"dossier n° {case.pk}",
            )
        except LawError:
            statement = None  # said in the claim summary: the interest waits for the rate
        if statement is not None:
            files.append(("decompte-penalites.pdf", render_statement_pdf(statement)))
    files.append(("chronologie.csv", timeline_csv(case)))
    return files


def evidence_zip(case: CollectionCase, as_of: dt.date) -> bytes:
    """The pack as ZIP bytes: the claim summary first, the manifest of every file's SHA-256 last."""
    files, summary = _claim_summary(case, as_of, _invoices(case))
    files.insert(0, (SUMMARY, summary))
    manifest = [["Fichier", "Octets", "SHA-256"]] + [
        [name, str(len(content)), _sha256(content)] for name, content in files
    ]
    files.append((MANIFEST, _csv(manifest)))
    buffer = io.BytesIO()
    stamp = (as_of.year, as_of.month, as_of.day, 12, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
