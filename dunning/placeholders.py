"""Reminder texts: the fixed list of placeholders and their rendering. Pure, no database.

User text is data, never code: it is cut into literal text and `{name}` placeholders by
one regular expression, and each placeholder is replaced by a value computed here from
plain facts. No `str.format`, no template engine. Literal braces are written `{{` and `}}`;
anything else between braces is a placeholder name that must be in `PLACEHOLDERS`.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formats import long_date, money, percent, short_date

ZERO = Decimal("0.00")
DEADLINE_DAYS = 8
INDEMNITY_PER_INVOICE = Decimal("40.00")
MAX_NUMBERS_IN_SENTENCE = 3

PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    ("client_nom", "Nom ou raison sociale du client"),
    ("client_contact", "Personne à contacter chez le client (vide si aucune)"),
    ("factures", "Tableau des factures relancées (seul sur sa ligne), ou leur liste dans une phrase"),
    ("facture_numero", "Numéro(s) des factures, séparés par des virgules"),
    ("factures_libelle", "« facture n° F-12 », « factures n° F-12 et F-13 » ou « 5 factures »"),
    ("factures_texte", "« de la facture n° F-12 du 1er mars 2026, échue le 31 mars 2026 » ou « des factures n° … »"),
    ("factures_echues", "« facture n° F-12 arrivée à échéance » (accordé au pluriel)"),
    ("factures_impayees", "« facture n° F-12 impayée » (accordé au pluriel)"),
    ("montant_du", "Montant restant dû, pénalités non comprises"),
    ("echeance", "Date(s) d’échéance des factures"),
    ("jours_retard", "Retard de la facture la plus ancienne, par ex. « 45 jours »"),
    ("penalites", "Intérêts de retard réclamés (vide s’ils ne sont pas inclus)"),
    ("indemnite", "Indemnité forfaitaire de 40 € par facture réclamée (clients professionnels seulement)"),
    ("total_du", "Montant dû, plus les pénalités lorsqu’elles sont incluses"),
    ("taux", "Taux d’intérêt appliqué(s), par ex. « 12,15 % »"),
    ("mention_penalites", "Phrase détaillant les pénalités réclamées, ou rien si elles ne s’appliquent pas"),
    ("base_legale", "Phrase rappelant le fondement légal (Code de commerce ou Code civil selon le client)"),
    ("date_limite", "Date limite de paiement (date de la relance + 8 jours, sauf date choisie)"),
    ("date_relance_precedente", "Date de la relance précédente (vide s’il n’y en a pas)"),
    ("relances_precedentes", "« notre relance du 12 octobre 2026 » ou « nos relances des … »"),
    ("modalites_paiement", "Phrase indiquant l’IBAN et la référence à rappeler avec le règlement"),
    ("iban", "IBAN de l’entreprise"),
    ("reference", "Référence de la relance"),
    ("entreprise_nom", "Nom de votre entreprise, avec la mention « EI »"),
    ("signataire", "Nom du signataire (vide s’il n’est pas renseigné)"),
)
PLACEHOLDER_NAMES = frozenset(name for name, _ in PLACEHOLDERS)

# `{{` and `}}` are literal braces; `{anything}` is a placeholder. A lone brace stays literal
# when rendering but is reported by `template_errors`.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


# Facts: plain values gathered by the reminder workflow from the database.


@dataclass(frozen=True)
class InvoiceFacts:
    number: str
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    paid: Decimal  # payments and credit notes
    amount_due: Decimal
    days_late: int
    interest: Decimal = ZERO
    indemnity: Decimal = ZERO


@dataclass(frozen=True)
class BusinessFacts:
    name: str  # with the "EI" mention
    address_lines: tuple[str, ...] = ()
    city: str = ""
    siret: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    iban: str = ""
    bic: str = ""
    vat_mention: str = ""
    signatory_name: str = ""
    signatory_title: str = ""

    @classmethod
    def from_business(cls, business: Any) -> "BusinessFacts":
        """From an `accounts.models.Business` (attributes only, no query)."""
        city = " ".join(part for part in [business.postal_code, business.city] if part)
        lines = [business.address_line1, business.address_line2, city]
        if business.country and business.country.strip().lower() != "france":
            lines.append(business.country.upper())
        return cls(
            name=business.display_name,
            address_lines=tuple(line for line in lines if line),
            city=business.city,
            siret=business.siret,
            email=business.email,
            phone=business.phone,
            website=business.website,
            iban=business.iban,
            bic=business.bic,
            vat_mention=business.vat_mention,
            signatory_name=business.signature_name,
            signatory_title=business.signature_title,
        )


@dataclass(frozen=True)
class ClientFacts:
    name: str
    contact: str = ""
    address_lines: tuple[str, ...] = ()
    email: str = ""
    is_consumer: bool = False

    @classmethod
    def from_client(cls, client: Any) -> "ClientFacts":
        """From a `ledger.models.Client` (attributes only, no query)."""
        return cls(
            name=client.name,
            contact=client.contact_name,
            address_lines=tuple(client.address_lines),
            email=client.email,
            is_consumer=client.is_consumer,
        )


@dataclass(frozen=True)
class ReminderFacts:
    """Everything a reminder text may quote. Penalty figures come computed (law.penalties)."""

    business: BusinessFacts
    client: ClientFacts
    invoices: tuple[InvoiceFacts, ...]
    level: int
    reminder_date: dt.date
    reference: str = ""
    include_penalties: bool = False
    rates: tuple[Decimal, ...] = ()  # the annual rates applied, in chronological order
    contract_rate: bool = False  # True when `rates` is the business's contract rate
    # A rate the tables do not know: the interest has no figure (never a guessed one), the
    # indemnity is still claimed and the texts say that interest runs until payment.
    interest_unknown: bool = False
    deadline: dt.date | None = None
    previous_reminder_dates: tuple[dt.date, ...] = ()

    @property
    def payment_deadline(self) -> dt.date:
        return self.deadline or self.reminder_date + dt.timedelta(days=DEADLINE_DAYS)

    @property
    def amount_due(self) -> Decimal:
        return sum((invoice.amount_due for invoice in self.invoices), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((invoice.interest for invoice in self.invoices), ZERO) if self.include_penalties else ZERO

    @property
    def indemnity(self) -> Decimal:
        """Never for a consumer: charging recovery fees to a consumer is an offence (L111-8 CPCE)."""
        if not self.include_penalties or self.client.is_consumer:
            return ZERO
        return sum((invoice.indemnity for invoice in self.invoices), ZERO)

    @property
    def total_due(self) -> Decimal:
        return self.amount_due + self.interest + self.indemnity

    @property
    def max_days_late(self) -> int:
        return max((invoice.days_late for invoice in self.invoices), default=0)


# The invoice table, as formatted strings for every renderer (text, HTML, Typst, print view).


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool


@dataclass(frozen=True)
class InvoiceTable:
    columns: tuple[Column, ...]
    rows: tuple[dict[str, str], ...]
    totals: dict[str, str]
    total_due: str = ""  # set when penalties are claimed: principal + penalties
    text_columns: tuple[Column, ...] = ()
    total_due_label: str = "Total dû, pénalités comprises"

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": [{"key": c.key, "label": c.label, "numeric": c.numeric} for c in self.columns],
            "rows": list(self.rows),
            "totals": self.totals,
            "total_due": self.total_due,
            "total_due_label": self.total_due_label,
        }


def invoice_table(facts: ReminderFacts) -> InvoiceTable:
    show_interest = (
        facts.include_penalties and not facts.interest_unknown and (facts.interest > 0 or not facts.client.is_consumer)
    )
    show_indemnity = facts.include_penalties and not facts.client.is_consumer
    columns = [
        Column("number", "N° facture", False),
        Column("issue_date", "Date", False),
        Column("due_date", "Échéance", False),
        Column("total", "Montant TTC", True),
        Column("paid", "Déjà réglé", True),
        Column("amount_due", "Reste dû", True),
        Column("days_late", "Retard", True),
    ]
    if show_interest:
        columns.append(Column("interest", "Intérêts", True))
    if show_indemnity:
        columns.append(Column("indemnity", "Indemnité", True))
    rows = tuple(
        {
            "number": invoice.number,
            "issue_date": short_date(invoice.issue_date),
            "due_date": short_date(invoice.due_date),
            "total": money(invoice.total),
            "paid": money(invoice.paid),
            "amount_due": money(invoice.amount_due),
            "days_late": f"{invoice.days_late}\u00a0j",
            "interest": money(invoice.interest),
            "indemnity": money(invoice.indemnity),
        }
        for invoice in facts.invoices
    )
    totals = {
        "number": "Total",
        "issue_date": "",
        "due_date": "",
        "total": money(sum((i.total for i in facts.invoices), ZERO)),
        "paid": money(sum((i.paid for i in facts.invoices), ZERO)),
        "amount_due": money(facts.amount_due),
        "days_late": "",
        "interest": money(facts.interest),
        "indemnity": money(facts.indemnity),
    }
    # A plain-text e-mail is read in a narrow window: fewer columns, "déjà réglé" only if any.
    keep = {"number", "due_date", "total", "amount_due", "days_late", "interest", "indemnity"}
    if any(invoice.paid > 0 for invoice in facts.invoices):
        keep.add("paid")
    return InvoiceTable(
        columns=tuple(columns),
        rows=rows,
        totals=totals,
        total_due=money(facts.total_due) if show_interest or show_indemnity else "",
        text_columns=tuple(column for column in columns if column.key in keep),
        total_due_label="Total dû, indemnité comprise" if facts.interest_unknown else InvoiceTable.total_due_label,
    )


# Values of the placeholders.


def french_list(items: Sequence[str]) -> str:
    """["a", "b", "c"] → "a, b et c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def format_iban(iban: str) -> str:
    compact = re.sub(r"\s", "", iban).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _days(count: int) -> str:
    return f"{count}\u00a0jour" if count == 1 else f"{count}\u00a0jours"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def rates_text(facts: ReminderFacts) -> str:
    return " puis ".join(_unique(percent(rate) for rate in facts.rates))


def _rate_phrase(facts: ReminderFacts, *, explain: bool = False) -> str:
    rates = rates_text(facts)
    if not rates:
        return " au taux convenu ou, à défaut, au taux de la BCE majoré de 10 points" if facts.interest_unknown else ""
    if facts.contract_rate:
        return f" au taux contractuel de {rates} l’an"
    basis = " (taux directeur de la BCE majoré de 10 points)" if explain else ""
    return f" au taux de {rates} l’an{basis}"


def _invoices_phrases(facts: ReminderFacts) -> dict[str, str]:
    numbers = [invoice.number for invoice in facts.invoices]
    if len(numbers) == 1:
        invoice = facts.invoices[0]
        label = f"facture n°\u00a0{invoice.number}"
        return {
            "factures_libelle": label,
            "factures_texte": (
                f"de la facture n°\u00a0{invoice.number} du {long_date(invoice.issue_date)}, "
                f"échue le {long_date(invoice.due_date)}"
            ),
            "factures_echues": f"{label} arrivée à échéance",
            "factures_impayees": f"{label} impayée",
        }
    if len(numbers) > MAX_NUMBERS_IN_SENTENCE:
        # A subject line listing ten numbers wraps on three lines: count them, the table lists them.
        label = f"{len(numbers)} factures"
        text = f"des {len(numbers)} factures suivantes"
    else:
        label = f"factures n°\u00a0{french_list(numbers)}"
        text = f"des {label}"
    return {
        "factures_libelle": label,
        "factures_texte": text,
        "factures_echues": f"{label} arrivées à échéance",
        "factures_impayees": f"{label} impayées",
    }


def penalties_sentence(facts: ReminderFacts) -> str:
    """The whole sentence about penalties claimed, or "" — so a consumer never reads of 40 €."""
    if not facts.include_penalties:
        return ""
    total = money(facts.total_due)
    if facts.client.is_consumer:
        if facts.interest_unknown:
            return "Des intérêts au taux légal courent en outre sur cette somme jusqu’au complet paiement."
        if facts.interest <= 0:
            return ""
        rate = f" de {rates_text(facts)}" if facts.rates else ""
        return (
            f"À cette somme s’ajoutent des intérêts de retard au taux légal{rate}, "
            f"soit {money(facts.interest)}, ce qui porte le total dû à {total}."
        )
    parts = []
    if facts.interest > 0:
        parts.append(f"des pénalités de retard de {money(facts.interest)}{_rate_phrase(facts)}")
    if facts.indemnity > 0:
        per_invoice = " (40\u00a0€ par facture)" if facts.indemnity > INDEMNITY_PER_INVOICE else ""
        parts.append(f"l’indemnité forfaitaire pour frais de recouvrement de {money(facts.indemnity)}{per_invoice}")
    running = (
        f"S’y ajoutent des pénalités de retard{_rate_phrase(facts)}, qui courent jusqu’au complet paiement."
        if facts.interest_unknown
        else ""
    )
    if not parts:
        return running
    verb = "s’ajoutent" if len(parts) > 1 else "s’ajoute"
    return " ".join(filter(None, [f"À cette somme {verb} {' et '.join(parts)}, soit un total dû de {total}.", running]))


def legal_basis_sentence(facts: ReminderFacts) -> str:
    if facts.client.is_consumer:
        if facts.level >= 3:
            return (
                "Conformément à l’article 1344-1 du Code civil, la présente mise en demeure fait courir "
                "les intérêts au taux légal sur les sommes dues."
            )
        return (
            "Nous vous rappelons qu’une mise en demeure fait courir les intérêts au taux légal sur les sommes "
            "dues (article 1344-1 du Code civil)."
        )
    return (
        "Conformément à l’article L441-10 du Code de commerce, tout retard de paiement rend exigibles de plein "
        f"droit, sans qu’un rappel soit nécessaire, des pénalités de retard{_rate_phrase(facts, explain=True)}, "
        "qui courent jusqu’au complet paiement, ainsi qu’une indemnité forfaitaire pour frais de recouvrement "
        "de 40\u00a0€ par facture (article D441-5)."
    )


def payment_sentence(facts: ReminderFacts) -> str:
    reference = facts.reference
    iban = format_iban(facts.business.iban)
    if iban:
        bic = f" (BIC {facts.business.bic})" if facts.business.bic else ""
        text = f"Vous pouvez régler par virement sur notre compte IBAN {iban}{bic}"
        return f"{text}, en indiquant la référence {reference}." if reference else f"{text}."
    return f"Merci d’indiquer la référence {reference} avec votre règlement." if reference else ""


def previous_reminders_phrase(facts: ReminderFacts) -> str:
    dates = [long_date(day) for day in facts.previous_reminder_dates]
    if not dates:
        return "nos précédents rappels"
    if len(dates) == 1:
        return f"notre relance du {dates[0]}"
    return f"nos relances des {french_list(dates)}"


def build_values(facts: ReminderFacts) -> dict[str, Any]:
    """Placeholder name → plain text (or the `InvoiceTable` for `factures`)."""
    previous = facts.previous_reminder_dates[-1] if facts.previous_reminder_dates else None
    values: dict[str, Any] = {
        "client_nom": facts.client.name,
        "client_contact": facts.client.contact,
        "factures": invoice_table(facts),
        "facture_numero": ", ".join(invoice.number for invoice in facts.invoices),
        "montant_du": money(facts.amount_due),
        "echeance": french_list(_unique(long_date(invoice.due_date) for invoice in facts.invoices)),
        "jours_retard": _days(facts.max_days_late),
        "penalites": money(facts.interest) if facts.include_penalties and not facts.interest_unknown else "",
        "indemnite": money(facts.indemnity) if facts.include_penalties and not facts.client.is_consumer else "",
        "total_du": money(facts.total_due),
        "taux": rates_text(facts),
        "mention_penalites": penalties_sentence(facts),
        "base_legale": legal_basis_sentence(facts),
        "date_limite": long_date(facts.payment_deadline),
        "date_relance_precedente": long_date(previous),
        "relances_precedentes": previous_reminders_phrase(facts),
        "modalites_paiement": payment_sentence(facts),
        "iban": format_iban(facts.business.iban),
        "reference": facts.reference,
        "entreprise_nom": facts.business.name,
        "signataire": facts.business.signatory_name,
    }
    values.update(_invoices_phrases(facts))
    return values


# Checking templates.


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders not in the list, as written (e.g. "{ foo }"), each once, in order."""
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        if name is not None and name.strip() not in PLACEHOLDER_NAMES and match.group(0) not in found:
            found.append(match.group(0))
    return found


def template_errors(text: str) -> list[str]:
    """French messages for a template text, empty when it can be saved."""
    errors = []
    unknown = unknown_placeholders(text)
    if len(unknown) == 1:
        errors.append(f"Variable inconnue : {unknown[0]}. Utilisez une variable de la liste.")
    elif unknown:
        errors.append(f"Variables inconnues : {', '.join(unknown)}. Utilisez des variables de la liste.")
    rest = _TOKEN.sub("", text)
    if "{" in rest or "}" in rest:
        errors.append("Accolade isolée : pour écrire une accolade, doublez-la ({{ ou }}).")
    return errors


# Rendering.


def _inline_invoices(table: InvoiceTable) -> str:
    return ", ".join(f"n°\u00a0{row['number']} ({row['amount_due']})" for row in table.rows)


def _substitute(line: str, values: dict[str, Any]) -> tuple[str, bool]:
    """The line with its placeholders replaced, and whether it had any."""
    had_placeholder = False

    def replace(match: re.Match[str]) -> str:
        nonlocal had_placeholder
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        had_placeholder = True
        name = match.group(1).strip()
        if name not in values:
            return piece
        value = values[name]
        return _inline_invoices(value) if isinstance(value, InvoiceTable) else str(value)

    return _TOKEN.sub(replace, line), had_placeholder


def _is_table_line(line: str) -> bool:
    match = _TOKEN.fullmatch(line.strip())
    return match is not None and match.group(1) is not None and match.group(1).strip() == "factures"


def _layout(text: str, values: dict[str, Any]) -> list[list[str] | None]:
    """Paragraphs as lists of rendered lines; None stands for the invoice table.

    A line whose placeholders all rendered empty disappears, so that an optional sentence
    such as `{mention_penalites}` leaves no blank paragraph behind.
    """
    blocks: list[list[str] | None] = []
    paragraph: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            if paragraph:
                blocks.append(paragraph)
                paragraph = []
            continue
        if _is_table_line(raw) and isinstance(values.get("factures"), InvoiceTable):
            if paragraph:
                blocks.append(paragraph)
                paragraph = []
            blocks.append(None)
            continue
        line, had_placeholder = _substitute(raw, values)
        if had_placeholder and not line.strip():
            continue
        paragraph.append(line.rstrip())
    if paragraph:
        blocks.append(paragraph)
    return blocks


def _text_table(table: InvoiceTable) -> str:
    columns = table.text_columns or table.columns
    grid = [[c.label for c in columns]]
    grid += [[row[c.key] for c in columns] for row in table.rows]
    grid.append([table.totals[c.key] for c in columns])
    widths = [max(len(line[i]) for line in grid) for i in range(len(columns))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if column.numeric else cell.ljust(width)
            for cell, width, column in zip(cells, widths, columns, strict=True)
        ).rstrip()

    lines = [fmt(grid[0]), "-" * len(fmt(grid[0]))]
    lines += [fmt(cells) for cells in grid[1:-1]]
    lines.append(fmt(grid[-1]))
    if table.total_due:
        lines.append(f"{table.total_due_label} : {table.total_due}")
    return "\n".join(lines)


def render_text(text: str, values: dict[str, Any]) -> str:
    parts = []
    for block in _layout(text, values):
        parts.append(_text_table(values["factures"]) if block is None else "\n".join(block))
    return "\n\n".join(parts)


_CELL = "padding:4px 8px;border-bottom:1px solid #e4e7ec;"


def html_table(table: InvoiceTable) -> str:
    def cell(tag: str, column: Column, value: str, extra: str = "") -> str:
        align = "right" if column.numeric else "left"
        return f'<{tag} style="{_CELL}text-align:{align};white-space:nowrap;{extra}">{escape(value)}</{tag}>'

    head = "".join(cell("th", c, c.label) for c in table.columns)
    body = "".join("<tr>" + "".join(cell("td", c, row[c.key]) for c in table.columns) + "</tr>" for row in table.rows)
    foot = "<tr>" + "".join(cell("td", c, table.totals[c.key], "font-weight:bold;") for c in table.columns) + "</tr>"
    if table.total_due:
        foot += (
            f'<tr><td colspan="{len(table.columns) - 1}" style="{_CELL}font-weight:bold;">'
            f"{escape(table.total_due_label)}</td>"
            f'<td style="{_CELL}text-align:right;white-space:nowrap;font-weight:bold;">{escape(table.total_due)}</td></tr>'
        )
    return (
        '<table class="letter-invoices" style="border-collapse:collapse;margin:0 0 1em;font-variant-numeric:tabular-nums;">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table>"
    )


def render_html(text: str, values: dict[str, Any]) -> SafeString:
    parts = []
    for block in _layout(text, values):
        if block is None:
            parts.append(html_table(values["factures"]))
        else:
            parts.append("<p>" + "<br>\n".join(escape(line) for line in block) + "</p>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece of user text and value is escaped above


def render_blocks(text: str, values: dict[str, Any]) -> list[dict[str, str]]:
    """The body for the PDF: paragraphs (lines joined by "\\n") and the invoice table's place."""
    return [
        {"type": "invoices"} if block is None else {"type": "paragraph", "text": "\n".join(block)}
        for block in _layout(text, values)
    ]


def render_facts(text: str, facts: ReminderFacts) -> str:
    """A one-line text (a subject) with its placeholders replaced."""
    # Only ordinary whitespace: the no-break spaces in "n° 12" and "1 200,00 €" must stay.
    return re.sub(r"[ \t\r\n]+", " ", render_text(text, build_values(facts))).strip()


def sample_facts(*, consumer: bool = False, level: int = 2) -> ReminderFacts:
    """Realistic data for the template editor's live preview."""
    invoices = (
        InvoiceFacts(
            number="F-2026-041",
            issue_date=dt.date(2026, 9, 1),
            due_date=dt.date(2026, 10, 1),
            total=Decimal("1200.00"),
            paid=ZERO,
            amount_due=Decimal("1200.00"),
            days_late=58,
            interest=Decimal("23.17") if not consumer else ZERO,
            indemnity=Decimal("40.00") if not consumer else ZERO,
        ),
        InvoiceFacts(
            number="F-2026-048",
            issue_date=dt.date(2026, 9, 22),
            due_date=dt.date(2026, 10, 22),
            total=Decimal("850.00"),
            paid=Decimal("300.00"),
            amount_due=Decimal("550.00"),
            days_late=37,
            interest=Decimal("6.77") if not consumer else ZERO,
            indemnity=Decimal("40.00") if not consumer else ZERO,
        ),
    )
    client = (
        ClientFacts(
            name="Sophie Lambert",
            address_lines=("8 rue Paul Bert", "69003 Lyon"),
            email="sophie.lambert@example.fr",
            is_consumer=True,
        )
        if consumer
        else ClientFacts(
            name="Boulangerie Durand SARL",
            contact="M. Paul Durand",
            address_lines=("14 avenue Jean Jaurès", "Bâtiment B", "69007 Lyon"),
            email="compta@boulangerie-durand.fr",
        )
    )
    previous = (dt.date(2026, 10, 12), dt.date(2026, 11, 3))[: max(level - 1, 0)]
    return ReminderFacts(
        business=BusinessFacts(
            name="Atelier Lumière – Camille Martin EI",
            address_lines=("12 rue des Lilas", "69003 Lyon"),
            city="Lyon",
            siret="73282932000074",
            email="contact@atelier-lumiere.fr",
            phone="06 12 34 56 78",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            vat_mention="TVA non applicable, art. 293 B du CGI",
            signatory_name="Camille Martin",
            signatory_title="Graphiste",
        ),
        client=client,
        invoices=invoices,
        level=level,
        reminder_date=dt.date(2026, 11, 28),
        reference="R-2026-0042",
        include_penalties=level >= 2,
        rates=(Decimal("12.15"),) if not consumer else (),
        previous_reminder_dates=previous,
    )
