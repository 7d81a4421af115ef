"""Reminder texts: the fixed list of placeholders and their rendering. Pure, no database.

User text is data, never code: it is cut into literal text and `{name}` placeholders by
one regular expression, and each placeholder is replaced by a value computed from plain
facts (`dunning.facts_types`), most of them sentences of `dunning.sentences`. No
`str.format`, no template engine. Literal braces are written `{{` and `}}`; anything else
between braces is a placeholder name that must be in `PLACEHOLDERS`.
"""

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formats import long_date, money
from dunning.facts_types import ReminderFacts
from dunning.invoice_table import InvoiceTable, html_table, invoice_table, text_table
from dunning.sentences import (
    format_iban,
    french_list,
    invoice_phrases,
    legal_basis_sentence,
    payment_sentence,
    penalties_sentence,
    previous_reminders_phrase,
    rates_text,
    unique,
)

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


# Values of the placeholders.


def _days(count: int) -> str:
    return f"{count}\u00a0jour" if count == 1 else f"{count}\u00a0jours"


def build_values(facts: ReminderFacts) -> dict[str, Any]:
    """Placeholder name → plain text (or the `InvoiceTable` for `factures`)."""
    previous = facts.previous_reminder_dates[-1] if facts.previous_reminder_dates else None
    values: dict[str, Any] = {
        "client_nom": facts.client.name,
        "client_contact": facts.client.contact,
        "factures": invoice_table(facts),
        "facture_numero": ", ".join(invoice.number for invoice in facts.invoices),
        "montant_du": money(facts.amount_due),
        "echeance": french_list(unique(long_date(invoice.due_date) for invoice in facts.invoices)),
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
    values.update(invoice_phrases(facts))
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


def render_text(text: str, values: dict[str, Any]) -> str:
    parts = []
    for block in _layout(text, values):
        parts.append(text_table(values["factures"]) if block is None else "\n".join(block))
    return "\n\n".join(parts)


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
