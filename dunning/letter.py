"""Reminder letters and penalty statements as PDF/A-2b, rendered by Typst.

Data reaches Typst only as one JSON string in `sys.inputs` (the templates in `typst/` decode
it and show every value as a plain string), so no client name or user text can change the
markup. Money and dates are formatted here, once, with `core.formats`; the print view
(`templates/dunning/letter_print.html`) uses the same `LetterData.document()`.
"""

import datetime as dt
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import typst
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts.logos import letter_logo
from core.formats import long_date, money, percent, short_date, siret
from dunning.channels import CHANNELS
from dunning.epc import PAYMENT_TITLE, SCAN_HINT, payment_code
from dunning.facts_types import ZERO, BusinessFacts, ClientFacts, ReminderFacts
from dunning.invoice_table import InvoiceTable, invoice_table
from dunning.placeholders import build_values, render_blocks, render_facts
from dunning.sentences import format_iban

TYPST_DIR = Path(__file__).resolve().parent / "typst"
# Inter (SIL OFL 1.1), from Debian's fonts-inter: one copy, served to the print view as a
# static file and given to Typst, so paper and screen use the same letterforms.
FONTS_DIR = Path(__file__).resolve().parent / "static" / "dunning" / "fonts"
LETTER_TEMPLATE = TYPST_DIR / "letter.typ"
STATEMENT_TEMPLATE = TYPST_DIR / "statement.typ"
# PDF/A-2b for the archive, PDF/UA-1 (tagged, with a title and a language) for screen readers.
# Typed Any: typst's stub wants a list of its own Literal union, which a constant cannot be.
PDF_STANDARDS: Any = ["a-2b", "ua-1"]
REGISTERED_HEADING = "Lettre recommandée avec accusé de réception"

# One compiler for the process keeps the parsed fonts and templates warm between letters.
# It is not safe to share between threads, hence the lock.
_compiler: typst.Compiler | None = None
_compiler_lock = threading.Lock()


def _run_typst(template: Path, payload: dict[str, Any], day: dt.date, **output: Any) -> bytes | list[bytes]:
    global _compiler
    inputs = {"data": json.dumps(payload, ensure_ascii=False)}
    # A fixed timestamp (the document's own date) makes the same letter give the same bytes,
    # so a frozen reminder's SHA-256 can be checked by rendering it again.
    timestamp = int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp())
    with _compiler_lock:
        if _compiler is None:
            # Root "/" lets the template read the business's logo (an absolute path in the
            # data); only our templates read files, the data is never evaluated.
            _compiler = typst.Compiler(root="/", font_paths=[str(FONTS_DIR)], ignore_system_fonts=True)
        result = _compiler.compile(input=str(template), sys_inputs=inputs, timestamp=timestamp, **output)
    assert result is not None
    return result


def compile_pdf(template: Path, payload: dict[str, Any], day: dt.date) -> bytes:
    """A PDF/A-2b + PDF/UA-1 of a Typst template fed `payload` as JSON in `sys.inputs.data`,
    dated `day`. Other apps' documents (the recovery claim summary) compile through it too, so
    that they share the fonts, the standards and the one compiler of the process."""
    result = _run_typst(template, payload, day, pdf_standards=PDF_STANDARDS)
    assert isinstance(result, bytes)
    return result


def bare_compile_arguments(template: Path, payload: dict[str, Any]) -> dict[str, Any]:
    """Arguments for a bare `typst.compile(**args)` of a template: the benchmark's baseline."""
    return {
        "input": str(template),
        "root": "/",
        "font_paths": [str(FONTS_DIR)],
        "ignore_system_fonts": True,
        "sys_inputs": {"data": json.dumps(payload, ensure_ascii=False)},
        "pdf_standards": PDF_STANDARDS,
    }


# Parts shared by letters and statements.


def _sender(business: BusinessFacts, logo_path: Path | str | None) -> dict[str, Any]:
    lines = list(business.address_lines)
    if business.siret:
        label = "SIREN" if len(business.siret.replace(" ", "")) == 9 else "SIRET"
        lines.append(f"{label} {siret(business.siret)}")
    # Never the uploaded file itself: its small copy, whose pixel count was checked.
    logo = letter_logo(logo_path)
    return {
        "name": business.name,
        "lines": lines,
        "contact": [item for item in (business.email, business.phone, business.website) if item],
        "logo": str(logo) if logo is not None else None,
    }


def _recipient(client: ClientFacts) -> dict[str, Any]:
    return {
        "name": client.name,
        "attention": f"À l’attention de {client.contact}" if client.contact else "",
        "lines": list(client.address_lines),
    }


def _footer(business: BusinessFacts) -> dict[str, Any]:
    address = ", ".join(business.address_lines)
    identifier = f"SIRET {siret(business.siret)}" if business.siret else ""
    bank = ""
    if business.iban:
        bank = f"IBAN {format_iban(business.iban)}" + (f"  ·  BIC {business.bic}" if business.bic else "")
    return {"identity": [business.name, identifier, address, business.vat_mention], "bank": bank}


def _place_date(place: str, day: dt.date) -> str:
    return f"{place}, le {long_date(day)}" if place else f"Le {long_date(day)}"


def _cells(table: InvoiceTable) -> dict[str, Any]:
    """The table as rows of cells, for the Django print view (no dict lookups by key there)."""

    def row(values: dict[str, str]) -> list[dict[str, Any]]:
        return [{"text": values[c.key], "numeric": c.numeric, "label": c.label} for c in table.columns]

    return {
        "head": [{"text": c.label, "numeric": c.numeric} for c in table.columns],
        "body": [row(values) for values in table.rows],
        "foot": row(table.totals),
    }


# Letters.


@dataclass(frozen=True)
class LetterData:
    """One reminder letter: the facts, the rendered subject and body blocks, how it is sent."""

    facts: ReminderFacts
    subject: str
    blocks: list[dict[str, str]]
    channel: str = "letter"
    registered_number: str = ""
    logo_path: Path | str | None = None
    logo_url: str = ""
    place: str = ""
    # The "QR code SEPA" under the signature. Letters frozen before it existed keep their look
    # (and their hash) when rendered again from their snapshot.
    with_payment_code: bool = True

    @classmethod
    def from_texts(cls, *, facts: ReminderFacts, subject: str, body: str, **options: Any) -> "LetterData":
        """From template texts (with placeholders), e.g. a reminder's subject and body."""
        return cls(
            facts=facts,
            subject=render_facts(subject, facts),
            blocks=render_blocks(body, build_values(facts)),
            **options,
        )

    @property
    def registered(self) -> bool:
        return CHANNELS[self.channel].is_registered_letter(self.facts.level)

    def body_blocks(self) -> list[dict[str, str]]:
        """The blocks, with the invoice table added after the opening paragraphs when the text
        has no `{factures}` line: a reminder letter always shows what is owed."""
        blocks = list(self.blocks)
        if not any(block["type"] == "invoices" for block in blocks):
            blocks.insert(min(2, len(blocks)), {"type": "invoices"})
        return blocks

    def print_blocks(self) -> list[dict[str, Any]]:
        """`body_blocks` for the print view, each paragraph also as HTML whose invoice numbers
        are kept on one line: a browser would cut "F-2026-032" after a hyphen."""
        numbers = sorted({escape(invoice.number) for invoice in self.facts.invoices}, key=len, reverse=True)
        whole = re.compile("|".join(re.escape(number) for number in numbers)) if numbers else None
        blocks: list[dict[str, Any]] = []
        for block in self.body_blocks():
            if block["type"] == "paragraph":
                html = str(escape(block["text"]))
                if whole is not None:
                    html = whole.sub(lambda match: f'<span class="nowrap">{match.group(0)}</span>', html)
                # Every piece of text was escaped above; only our own tags are added.
                block = {**block, "html": mark_safe(html.replace("\n", "<br>"))}  # noqa: S308
            blocks.append(block)
        return blocks

    def document(self) -> dict[str, Any]:
        facts = self.facts
        business = facts.business
        table = invoice_table(facts)
        # PDF/UA requires a title: an empty subject must not make the letter fail to render.
        title = self.subject.strip() or " – ".join(part for part in ("Lettre de relance", facts.client.name) if part)
        return {
            "title": title,
            "author": business.name,
            "sender": _sender(business, self.logo_path),
            "logo_url": self.logo_url,
            "recipient": _recipient(facts.client),
            "place_date": _place_date(self.place or business.city, facts.reminder_date),
            "registered": REGISTERED_HEADING if self.registered else "",
            "registered_number": self.registered_number if self.registered else "",
            "subject": self.subject,
            "reference": facts.reference,
            "blocks": self.body_blocks(),
            "table": {**table.as_dict(), **_cells(table)},
            "signature": {
                "name": business.signatory_name,
                "title": business.signatory_title,
                "business": business.name,
            },
            "footer": _footer(business),
            "payment": self.payment() if self.with_payment_code else None,
        }

    def payment(self) -> dict[str, Any] | None:
        """The payment box: the EPC QR code (SVG, drawn as vector) and what it holds, in words."""
        code = payment_code(self.facts)
        if code is None:
            return None
        return {"svg": code.svg(), "title": PAYMENT_TITLE, "lines": code.lines(), "hint": SCAN_HINT}


def _letters_payload(letters: Iterable[LetterData]) -> tuple[dict[str, Any], dt.date]:
    documents = []
    day = dt.date(2000, 1, 1)
    for letter in letters:
        documents.append(letter.document())
        day = max(day, letter.facts.reminder_date)
    if not documents:
        raise ValueError("Aucune lettre à produire.")
    first = documents[0]
    title = first["title"] if len(documents) == 1 else f"Lettres de relance – {first['author']}"
    return {"title": title, "author": first["author"], "letters": documents}, day


def letter_payload(data: LetterData) -> dict[str, Any]:
    """The JSON the letter template receives (for the benchmark's bare render)."""
    return _letters_payload([data])[0]


def render_letter_pdf(data: LetterData) -> bytes:
    payload, day = _letters_payload([data])
    return compile_pdf(LETTER_TEMPLATE, payload, day)


# Pixels per inch of the page images: an A4 page 1191 px wide, sharp on a phone's dense screen
# and at the summary's 800 CSS px, for 250–300 KB and about 35 ms a page.
PAGE_IMAGE_PPI = 144.0


def render_letter_pages_png(data: LetterData, ppi: float = PAGE_IMAGE_PPI) -> list[bytes]:
    """The letter's pages as PNG images, one per page.

    The very Typst document of `render_letter_pdf` (same data, same date), rasterised instead of
    exported: what the summary shows is what the PDF prints, where a browser cannot show a PDF.
    """
    payload, day = _letters_payload([data])
    # Typst answers a one-page document with bytes and a longer one with a list.
    pages = _run_typst(LETTER_TEMPLATE, payload, day, format="png", ppi=ppi)
    return [pages] if isinstance(pages, bytes) else pages


def letter_page_count(data: LetterData) -> int:
    """How many pages the letter has: the same layout as the page images, rasterised at 1 ppi
    (about a millisecond) since Typst exposes no page count."""
    return len(render_letter_pages_png(data, ppi=1))


def render_letters_pdf(letters: Iterable[LetterData]) -> bytes:
    """Several letters in one PDF/A document, each starting on a new page (archive export).

    The caller bounds memory by passing chunks (say a few hundred letters) and merging them.
    """
    payload, day = _letters_payload(letters)
    return compile_pdf(LETTER_TEMPLATE, payload, day)


# Penalty statements ("Décompte des pénalités de retard").


@dataclass(frozen=True)
class SegmentFacts:
    """One period of a late-payment computation (law.penalties' segments, as plain values)."""

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    base: Decimal
    interest: Decimal


@dataclass(frozen=True)
class StatementInvoice:
    number: str
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    amount_due: Decimal
    days_late: int
    segments: tuple[SegmentFacts, ...] = ()
    interest: Decimal = ZERO
    indemnity: Decimal = ZERO


DEFAULT_RATE_SOURCES = (
    "Taux des opérations principales de refinancement de la Banque centrale européenne en vigueur au "
    "1er janvier ou au 1er juillet de chaque semestre ; taux de l’intérêt légal publié chaque semestre par "
    "arrêté (créancier professionnel, « autres cas »)."
)


@dataclass(frozen=True)
class StatementData:
    """A client's penalties, per invoice and per period. The invoices themselves never change."""

    business: BusinessFacts
    client: ClientFacts
    as_of: dt.date
    invoices: tuple[StatementInvoice, ...]
    reference: str = ""
    contract_rate: bool = False
    notice_date: dt.date | None = None  # consumers: interest runs from the formal notice's receipt
    rate_sources: str = DEFAULT_RATE_SOURCES
    logo_path: Path | str | None = None
    place: str = ""

    @property
    def interest(self) -> Decimal:
        return sum((invoice.interest for invoice in self.invoices), ZERO)

    @property
    def indemnity(self) -> Decimal:
        if self.client.is_consumer:
            return ZERO
        return sum((invoice.indemnity for invoice in self.invoices), ZERO)

    @property
    def amount_due(self) -> Decimal:
        return sum((invoice.amount_due for invoice in self.invoices), ZERO)

    def legal_basis(self) -> str:
        if self.client.is_consumer:
            since = f" reçue le {long_date(self.notice_date)}" if self.notice_date else ""
            return (
                "Intérêts moratoires au taux légal, dus à compter de la mise en demeure"
                f"{since} (articles 1231-6 et 1344-1 du Code civil). Aucune indemnité forfaitaire "
                "pour frais de recouvrement n’est due par un consommateur."
            )
        rate = (
            "au taux contractuel convenu"
            if self.contract_rate
            else "au taux directeur de la BCE en vigueur au 1er janvier ou au 1er juillet, majoré de 10 points"
        )
        return (
            f"Pénalités de retard dues de plein droit dès le lendemain de l’échéance, {rate} "
            "(article L441-10 du Code de commerce), et indemnité forfaitaire pour frais de recouvrement "
            "de 40\u00a0€ par facture (article D441-5 du Code de commerce)."
        )

    def document(self) -> dict[str, Any]:
        invoices = []
        for invoice in self.invoices:
            indemnity = ZERO if self.client.is_consumer else invoice.indemnity
            invoices.append(
                {
                    "heading": f"Facture n°\u00a0{invoice.number} du {short_date(invoice.issue_date)}",
                    "details": (
                        f"Échéance {short_date(invoice.due_date)}  ·  montant TTC {money(invoice.total)}  ·  "
                        f"reste dû {money(invoice.amount_due)}  ·  {invoice.days_late}\u00a0jours de retard"
                    ),
                    "segments": [
                        {
                            "period": f"du {short_date(s.start)} au {short_date(s.end)}",
                            "days": str(s.days),
                            "base": money(s.base),
                            "rate": percent(s.rate),
                            "interest": money(s.interest),
                        }
                        for s in invoice.segments
                    ],
                    "interest": money(invoice.interest),
                    "indemnity": money(indemnity) if not self.client.is_consumer else "",
                    "subtotal": money(invoice.interest + indemnity),
                }
            )
        totals = [("Reste dû sur les factures", money(self.amount_due)), ("Intérêts de retard", money(self.interest))]
        if not self.client.is_consumer:
            totals.append(("Indemnités forfaitaires", money(self.indemnity)))
        totals.append(("Total des pénalités", money(self.interest + self.indemnity)))
        totals.append(("Total dû", money(self.amount_due + self.interest + self.indemnity)))
        return {
            "sender": _sender(self.business, self.logo_path),
            "recipient": _recipient(self.client),
            "place_date": _place_date(self.place or self.business.city, self.as_of),
            "title": "Décompte des pénalités de retard",
            "subtitle": f"arrêté au {long_date(self.as_of)}",
            "reference": self.reference,
            "consumer": self.client.is_consumer,
            "invoices": invoices,
            "totals": [{"label": label, "value": value} for label, value in totals],
            "legal_basis": self.legal_basis(),
            "method": (
                "Intérêts simples : base × taux annuel × nombre de jours / 365, arrondis au centime pour chaque "
                "période. Les périodes sont coupées au 1er janvier, au 1er juillet et après chaque règlement."
            ),
            "sources": f"Sources des taux : {self.rate_sources}",
            "footer": _footer(self.business),
        }


def render_statement_pdf(data: StatementData) -> bytes:
    document = data.document()
    payload = {
        "title": f"Décompte des pénalités de retard – {data.client.name}",
        "author": data.business.name,
        "statements": [document],
    }
    return compile_pdf(STATEMENT_TEMPLATE, payload, data.as_of)
