"""The French sentences and phrases a reminder quotes, built from its facts.

The legal basis (Code de commerce or Code civil, by client), the penalties claimed, how to pay,
the invoices named in a sentence, the earlier reminders; and the lists and numbers they write.
"""

import re
from collections.abc import Iterable, Sequence

from core.formats import long_date, money, percent
from dunning.facts_types import INDEMNITY_PER_INVOICE, ReminderFacts

MAX_NUMBERS_IN_SENTENCE = 3


def french_list(items: Sequence[str]) -> str:
    """["a", "b", "c"] → "a, b et c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def format_iban(iban: str) -> str:
    compact = re.sub(r"\s", "", iban).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def rates_text(facts: ReminderFacts) -> str:
    return " puis ".join(unique(percent(rate) for rate in facts.rates))


def _rate_phrase(facts: ReminderFacts, *, explain: bool = False) -> str:
    rates = rates_text(facts)
    if not rates:
        return " au taux convenu ou, à défaut, au taux de la BCE majoré de 10 points" if facts.interest_unknown else ""
    if facts.contract_rate:
        return f" au taux contractuel de {rates} l’an"
    basis = " (taux directeur de la BCE majoré de 10 points)" if explain else ""
    return f" au taux de {rates} l’an{basis}"


def invoice_phrases(facts: ReminderFacts) -> dict[str, str]:
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
