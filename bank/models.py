"""Bank statements brought in by the user, and their credit lines waiting to be matched.

A line is kept once per bank account: its key is the bank's own id for it (OFX FITID,
CAMT.053 AcctSvcrRef or NtryRef, a CSV export's transaction id) or, when the bank gives
none, a hash of its date, amount and text. The database refuses a second row with the same
key, so that importing a statement again, or two imports at once, never brings a line twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.dates import validate_date_in_range
from ledger.models import POSITIVE, Payment


class BankStatement(models.Model):
    class Format(models.TextChoices):
        OFX = "ofx", "OFX"
        CAMT = "camt053", "CAMT.053"
        CSV = "csv", "CSV"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="bank_statements")
    filename = models.CharField(_("fichier"), max_length=200)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    # The same file imported twice is the same statement (one row, nothing new).
    sha256 = models.CharField(max_length=64)
    account = models.CharField(_("compte"), max_length=64, blank=True)
    bank_name = models.CharField(_("banque"), max_length=100, blank=True)
    credit_count = models.PositiveIntegerField(_("crédits lus"), default=0)
    debit_count = models.PositiveIntegerField(_("débits ignorés"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["business", "sha256"], name="bank_statement_file_once")]

    def __str__(self) -> str:
        return self.filename


class BankLine(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("À rapprocher")
        MATCHED = "matched", _("Rapprochée")
        IGNORED = "ignored", _("Ignorée")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="bank_lines")
    # The statement that first brought the line; a later statement with the same line adds nothing.
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    account = models.CharField(_("compte"), max_length=64, blank=True)
    bank_key = models.CharField(max_length=100)
    date = models.DateField(_("date"), validators=[validate_date_in_range])
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2, validators=POSITIVE)
    text = models.CharField(_("libellé"), max_length=500)
    counterparty = models.CharField(_("émetteur"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_at = models.DateTimeField(_("importée le"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "account", "bank_key"], name="bank_line_once_per_account"),
        ]
        indexes = [
            models.Index(fields=["business", "status", "date"], name="bank_line_open", condition=Q(status="open"))
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.amount} € {self.text[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def payment_reference(self) -> str:
        """What the payment keeps of the line: its date and text, within the reference's 100 characters."""
        return f"Relevé {self.date:%d/%m/%Y} {self.text}"[:100]


class BankLinePayment(models.Model):
    """A payment recorded from a line: a line paying two invoices has two."""

    line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="allocations")
    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="bank_allocation")

    def __str__(self) -> str:
        return f"{self.line_id} → {self.payment_id}"
