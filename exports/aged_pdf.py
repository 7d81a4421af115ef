"""The aged balance as a PDF, rendered by Typst.

As for the letters (`dunning.letter`), the data reaches Typst only as one JSON string in
`sys.inputs`, every value already formatted here as plain text: no client name can change the
markup. A4 landscape, the header row repeated on each page, "Page n sur N" in the footer.
"""

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import typst
from django.utils import timezone, translation

from accounts.models import Business
from core.formats import long_date, money, short_date
from dunning.letter import FONTS_DIR, PDF_STANDARDS
from exports.queries import AgedBalance
from exports.tables import aged_balance_columns

TEMPLATE = Path(__file__).resolve().parent / "typst" / "aged_balance.typ"

# One compiler for the process keeps fonts and template parsed; it is not thread-safe.
_compiler: typst.Compiler | None = None
_lock = threading.Lock()


def method_note(balance: AgedBalance) -> str:
    """How the figures were computed, printed under the title and shown on the page."""
    basis = "la date d’échéance" if balance.basis == Business.BucketBasis.DUE_DATE else "la date de facture"
    return (
        f"Reste dû au {short_date(balance.as_of)} au soir : montant TTC des factures émises jusqu’à cette date, "
        "moins les règlements et avoirs datés de ce jour ou d’avant (ceux datés après ne sont pas comptés) ; "
        f"factures annulées avant cette date exclues. Retard compté depuis {basis}."
    )


def document(business: Business, balance: AgedBalance) -> dict[str, Any]:
    columns = [column.header for column in aged_balance_columns(balance)]
    as_of = long_date(balance.as_of)
    generated = timezone.localtime()
    return {
        "title": f"Balance âgée au {as_of} – {business.display_name}",
        "author": business.display_name,
        "heading": f"Balance âgée au {as_of}",
        "business": business.display_name,
        "subtitle": f"{len(balance.rows)} client(s), {balance.invoices} facture(s) non réglée(s)",
        "method": method_note(balance),
        "footer": f"{business.display_name} · balance âgée au {short_date(balance.as_of)} · éditée le "
        f"{short_date(generated.date())} à {generated:%H:%M}",
        "columns": columns,
        "rows": [
            [row.name, row.siren, str(row.invoices), *[_amount(a) for a in row.amounts], money(row.total)]
            for row in balance.rows
        ],
        "total": ["Total", "", str(balance.invoices), *[_amount(a) for a in balance.totals], money(balance.total)],
        "empty": f"Aucune facture non réglée au {as_of}.",
    }


def _amount(value: Any) -> str:
    """A zero bucket stays blank: the eye goes to what is owed."""
    return money(value) if value else "–"


def render_aged_balance_pdf(business: Business, balance: AgedBalance) -> bytes:
    global _compiler
    with translation.override("fr"):
        payload = document(business, balance)
    day = balance.as_of
    timestamp = int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp())
    with _lock:
        if _compiler is None:
            _compiler = typst.Compiler(root=str(TEMPLATE.parent), font_paths=[str(FONTS_DIR)], ignore_system_fonts=True)
        result = _compiler.compile(
            input=str(TEMPLATE),
            sys_inputs={"data": json.dumps(payload, ensure_ascii=False)},
            timestamp=timestamp,
            pdf_standards=PDF_STANDARDS,
        )
    assert isinstance(result, bytes)
    return result
