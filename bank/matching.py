"""Which open invoices a credit line may pay: pure arithmetic and text search, no database.

In order of trust:
1. a reference in the remittance text: a reminder's reference (R-2026-0042) or an invoice
   number, found as a whole word (invoice "31" is not found in "2024-031" nor in "131"; a
   number shorter than four characters must follow a word such as FACT, FACTURE or N°);
2. the exact amount: the amount due of one invoice, or the sum of several invoices of one
   client, better when the client's name is in the text too.

The confidence shown: SURE (can be confirmed in bulk), PROBABLE, CHECK (to look at first).
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SURE, PROBABLE, CHECK = "sure", "probable", "check"
CONFIDENCE_ORDER = {SURE: 0, PROBABLE: 1, CHECK: 2}
ZERO = Decimal("0.00")
# Subsets of one client's invoices tried for a sum: at most this many invoices (2^12 sums).
MAX_SUBSET_INVOICES = 12
REMINDER_REFERENCE = re.compile(r"\bR-?\s?(\d{4})-?\s?(\d{4,6})\b")
SHORT_NUMBER_PREFIX = r"(?:FACTURES?|FACT|FACT\.|FAC|FA|FCT|INV|INVOICE|N°|NO|NUM|REF)\s*[:.#-]?\s*"
LEGAL_FORMS = {
    "SARL",
    "SAS",
    "SASU",
    "SA",
    "EURL",
    "SCI",
    "SNC",
    "EI",
    "EIRL",
    "SELARL",
    "ASSOCIATION",
    "STE",
    "SOCIETE",
}


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number: str
    client_id: int
    client_name: str
    amount_due: Decimal
    due_date: object  # a date; only compared and sorted


@dataclass(frozen=True)
class Allocation:
    invoice: OpenInvoice
    amount: Decimal


@dataclass(frozen=True)
class Proposal:
    confidence: str
    reason: str  # "reference", "amount", "amount_and_name", "name"
    allocations: tuple[Allocation, ...]
    found: str = ""  # the reference or number found in the text, or the client's name

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.allocations), ZERO)

    @property
    def invoice_ids(self) -> list[int]:
        return [item.invoice.id for item in self.allocations]


@dataclass
class Candidates:
    """What the matcher searches: the business's open invoices and its reminders' references."""

    invoices: list[OpenInvoice]
    references: dict[str, list[int]] = field(default_factory=dict)  # "R-2026-0042" → invoice ids

    def __post_init__(self) -> None:
        self.by_id = {invoice.id: invoice for invoice in self.invoices}
        self.by_client: dict[int, list[OpenInvoice]] = {}
        for invoice in sorted(self.invoices, key=lambda item: (item.due_date, item.number)):
            self.by_client.setdefault(invoice.client_id, []).append(invoice)
        self.by_amount: dict[Decimal, list[OpenInvoice]] = {}
        for invoice in self.invoices:
            self.by_amount.setdefault(invoice.amount_due, []).append(invoice)
        self.name_keys = {client_id: name_key(items[0].client_name) for client_id, items in self.by_client.items()}


def normalize(text: str) -> str:
    """Upper case, without accents: bank texts are written so."""
    stripped = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(stripped.upper().split())


def name_key(name: str) -> list[str]:
    """The words of a client's name that identify it: no legal form, no one-letter word."""
    words = re.sub(r"[^A-Z0-9]+", " ", normalize(name)).split()
    return [word for word in words if word not in LEGAL_FORMS and len(word) > 1]


def name_in_text(key: list[str], text: str) -> bool:
    if not key:
        return False
    words = set(re.sub(r"[^A-Z0-9]+", " ", normalize(text)).split())
    return all(word in words for word in key)


def number_in_text(number: str, text: str) -> bool:
    """The invoice number as a whole word of the text (upper case, without accents)."""
    wanted = normalize(number)
    if not wanted:
        return False
    pattern = rf"(?<![A-Z0-9]){re.escape(wanted)}(?![A-Z0-9])"
    if len(re.sub(r"[^A-Z0-9]", "", wanted)) < 4:
        # "FACT 31" pays invoice 31, but a bare 31 may be a day, an amount or part of a name.
        pattern = rf"(?<![A-Z0-9]){SHORT_NUMBER_PREFIX}{re.escape(wanted)}(?![A-Z0-9])"
    # The dashes and slashes of a number are sometimes written as spaces or dropped by the bank.
    compact = re.sub(r"[^A-Z0-9]", "", wanted)
    if re.search(pattern, text):
        return True
    if len(compact) >= 6 and compact != wanted:
        return re.search(rf"(?<![A-Z0-9]){re.escape(compact)}(?![A-Z0-9])", text) is not None
    return False


def _allocate(amount: Decimal, invoices: Sequence[OpenInvoice]) -> tuple[Allocation, ...]:
    """The amount over the invoices, oldest due first, none beyond its amount due."""
    allocations = []
    left = amount
    for invoice in sorted(invoices, key=lambda item: (item.due_date, item.number)):
        if left <= 0:
            break
        part = min(left, invoice.amount_due)
        allocations.append(Allocation(invoice, part))
        left -= part
    return tuple(allocations)


def _by_reference(amount: Decimal, text: str, candidates: Candidates) -> Proposal | None:
    found: list[OpenInvoice] = []
    labels: list[str] = []
    for match in REMINDER_REFERENCE.finditer(text):
        reference = f"R-{match.group(1)}-{match.group(2)}"
        invoices = [candidates.by_id[pk] for pk in candidates.references.get(reference, []) if pk in candidates.by_id]
        if invoices:
            labels.append(reference)
            found += [invoice for invoice in invoices if invoice not in found]
    for invoice in candidates.invoices:
        if invoice not in found and number_in_text(invoice.number, text):
            labels.append(invoice.number)
            found.append(invoice)
    if not found:
        return None
    due = sum((invoice.amount_due for invoice in found), ZERO)
    if amount == due:
        confidence = SURE
    elif amount < due:
        # A partial payment, or a payment of some of the invoices named.
        exact = [invoice for invoice in found if invoice.amount_due == amount]
        if len(exact) == 1:
            return Proposal(SURE, "reference", (Allocation(exact[0], amount),), exact[0].number)
        confidence = PROBABLE
    else:
        confidence = CHECK  # more than is due: the excess cannot be recorded as a payment
    return Proposal(confidence, "reference", _allocate(amount, found), ", ".join(labels))


def _by_amount(amount: Decimal, text: str, candidates: Candidates) -> Proposal | None:
    named = {client_id for client_id, key in candidates.name_keys.items() if name_in_text(key, text)}
    exact = candidates.by_amount.get(amount, [])
    exact_named = [invoice for invoice in exact if invoice.client_id in named]
    if len(exact_named) == 1:
        invoice = exact_named[0]
        return Proposal(SURE, "amount_and_name", (Allocation(invoice, amount),), invoice.client_name)
    if len(exact_named) > 1:
        invoice = min(exact_named, key=lambda item: (item.due_date, item.number))
        return Proposal(PROBABLE, "amount_and_name", (Allocation(invoice, amount),), invoice.client_name)
    # Several invoices of one named client adding up to the amount.
    for client_id in sorted(named):
        subset = _subset_summing_to(candidates.by_client[client_id], amount)
        if subset:
            return Proposal(
                SURE if len(subset) == len(candidates.by_client[client_id]) else PROBABLE,
                "amount_and_name",
                tuple(Allocation(invoice, invoice.amount_due) for invoice in subset),
                subset[0].client_name,
            )
    if len(exact) == 1:
        return Proposal(PROBABLE, "amount", (Allocation(exact[0], amount),))
    if len(exact) > 1:
        invoice = min(exact, key=lambda item: (item.due_date, item.number))
        return Proposal(CHECK, "amount", (Allocation(invoice, amount),))
    # All the open invoices of one client, whoever it is.
    for invoices in candidates.by_client.values():
        if len(invoices) > 1 and sum((invoice.amount_due for invoice in invoices), ZERO) == amount:
            return Proposal(PROBABLE, "amount", tuple(Allocation(invoice, invoice.amount_due) for invoice in invoices))
    if named:
        # The client is named but the amount matches nothing: a partial payment, to look at.
        client_id = min(named)
        return Proposal(
            CHECK,
            "name",
            _allocate(amount, candidates.by_client[client_id]),
            candidates.by_client[client_id][0].client_name,
        )
    return None


def _subset_summing_to(invoices: list[OpenInvoice], amount: Decimal) -> list[OpenInvoice]:
    """The fewest invoices (two or more) whose amounts due add up to `amount`."""
    if len(invoices) < 2 or len(invoices) > MAX_SUBSET_INVOICES:
        if len(invoices) >= 2 and sum((invoice.amount_due for invoice in invoices), ZERO) == amount:
            return invoices
        return []
    for size in range(2, len(invoices) + 1):
        for subset in itertools.combinations(invoices, size):
            if sum((invoice.amount_due for invoice in subset), ZERO) == amount:
                return list(subset)
    return []


def propose(amount: Decimal, text: str, candidates: Candidates) -> Proposal | None:
    """The best proposal for a credit line of `amount` with `text`, or None."""
    if amount <= 0 or not candidates.invoices:
        return None
    normalized = normalize(text)
    return _by_reference(amount, normalized, candidates) or _by_amount(amount, normalized, candidates)


def mentions(proposal: Proposal | None, invoice_ids: Iterable[int]) -> bool:
    wanted = set(invoice_ids)
    return proposal is not None and any(pk in wanted for pk in proposal.invoice_ids)
