"""The "QR code SEPA" of a reminder: an EPC QR code (EPC069-12, version 002) that a banking app
scans to fill in a SEPA credit transfer — beneficiary, IBAN, BIC, amount and reference.

French and European banking apps read this format (European Payments Council, "Quick Response
Code: guidelines to enable data capture for the initiation of a SEPA credit transfer",
EPC069-12). The code is built from the reminder's facts alone, so a frozen reminder shows the
same code at every rendering: in the letter (vector, through Typst), in its print view and,
as a PNG, in its e-mail.
"""

import functools
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import segno

from core.formats import money
from dunning.facts_types import ReminderFacts
from dunning.sentences import format_iban

NBSP = "\u00a0"
PAYMENT_TITLE = "Payer par virement"
SCAN_HINT = "Scannez avec l’application de votre banque pour payer par virement"
# The standard's bounds: the beneficiary's name in 70 characters, the unstructured remittance
# in 140, an amount from 0.01 to 999,999,999.99 euros.
MAX_NAME = 70
MAX_TEXT = 140
MAX_AMOUNT = Decimal("999999999.99")
# The image's Content-ID in the e-mail: its HTML part shows it with <img src="cid:…">.
EMAIL_CONTENT_ID = "qr-sepa@relance"


@dataclass(frozen=True)
class PaymentCode:
    name: str
    iban: str
    bic: str
    amount: Decimal
    text: str

    def lines(self) -> list[str]:
        """What the code holds, in words, for the reader who pays by hand."""
        return [
            f"Bénéficiaire : {self.name}",
            # Never cut across two lines: a split IBAN is copied wrong.
            f"IBAN : {format_iban(self.iban).replace(' ', NBSP)}",
            *([f"BIC : {self.bic}"] if self.bic else []),
            f"Montant : {money(self.amount)}",
            f"Référence : {self.text}",
        ]

    def qr(self) -> segno.QRCode:
        return _encoded(self)

    def svg(self) -> str:
        """Vector, black on white, with the standard's quiet zone of four modules, no fixed size."""
        buffer = io.BytesIO()
        self.qr().save(buffer, kind="svg", border=4, xmldecl=False, svgns=True, omitsize=True, dark="#000")
        return buffer.getvalue().decode("ascii")

    def png(self, scale: int = 5) -> bytes:
        buffer = io.BytesIO()
        self.qr().save(buffer, kind="png", scale=scale, border=4)
        return buffer.getvalue()


# ISO/IEC 18004 lets the encoder pick any of the eight mask patterns; every reader tries them
# all. Choosing the "best" one means drawing and scoring all eight: 8.8 ms of pure Python per
# code here, against 1.7 ms with the mask fixed (measured), when a letter renders in about 30.
MASK = 0


def epc_payload(code: PaymentCode) -> str:
    """The code's text, line by line as EPC069-12 version 002 lists them: service tag, version,
    character set (1: UTF-8), identification, BIC, name, IBAN, amount, purpose, structured
    reference (none), unstructured remittance."""
    lines = ["BCD", "002", "1", "SCT", code.bic, code.name, code.iban, f"EUR{code.amount:.2f}", "", "", code.text]
    return "\n".join(lines)


@functools.lru_cache(maxsize=32)
def _encoded(code: PaymentCode) -> segno.QRCode:
    """Encoding is most of a code's cost, and one reminder draws its code for the letter, the
    e-mail and the previews: the same code is encoded once. Error correction level M, as the
    standard requires (never raised), in at most version 13: the bounds on the fields keep it
    there (the test of the largest code checks it)."""
    return segno.make_qr(epc_payload(code), error="m", boost_error=False, mask=MASK, encoding="utf-8")


def payment_code(facts: ReminderFacts) -> PaymentCode | None:
    """The code for what the reminder asks, or None when it cannot carry one.

    None without an IBAN (nothing to pay to), without anything due, or beyond the standard's
    largest amount. The amount is what the reminder claims: the principal due, with the
    penalties only when the reminder claims them. The remittance text is the reminder's
    reference, which its letter asks the payer to quote, after the invoice's number when there
    is one invoice: the payment then names what it settles.
    """
    iban = re.sub(r"\s", "", facts.business.iban).upper()
    amount = facts.total_due
    if not iban or not Decimal("0.01") <= amount <= MAX_AMOUNT:
        return None
    # One invoice: its number first, the reference the letter asks the payer to quote after it.
    numbers = [facts.invoices[0].number] if len(facts.invoices) == 1 else []
    text = " ".join([*numbers, facts.reference]).strip() or " ".join(invoice.number for invoice in facts.invoices)
    return PaymentCode(
        name=facts.business.name[:MAX_NAME],
        iban=iban,
        bic=re.sub(r"\s", "", facts.business.bic).upper(),
        amount=amount,
        text=text[:MAX_TEXT],
    )
