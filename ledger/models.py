import datetime as dt
import secrets
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import validators
from accounts.models import Business
from core.dates import validate_date_in_range
from core.text import validate_one_line

ZERO = Decimal("0.00")
POSITIVE = [MinValueValidator(Decimal("0.01"), _("Le montant doit être supérieur à zéro."))]


class Client(models.Model):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("Professionnel")
        CONSUMER = "consumer", _("Particulier")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="clients")
    kind = models.CharField(_("type de client"), max_length=10, choices=Kind.choices, default=Kind.BUSINESS)
    name = models.CharField(_("nom ou raison sociale"), max_length=200, validators=[validate_one_line])
    contact_name = models.CharField(_("contact"), max_length=200, blank=True, validators=[validate_one_line])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=[validate_one_line])
    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True, validators=[validate_one_line])
    address_line2 = models.CharField(
        _("complément d’adresse"), max_length=200, blank=True, validators=[validate_one_line]
    )
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True, validators=[validate_one_line])
    city = models.CharField(_("ville"), max_length=100, blank=True, validators=[validate_one_line])
    country = models.CharField(_("pays"), max_length=100, default="France", blank=True, validators=[validate_one_line])
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validators.validate_siren])
    notes = models.TextField(_("notes"), blank=True)
    reminders_paused = models.BooleanField(_("relances en pause"), default=False)
    pause_reason = models.CharField(_("motif de la pause"), max_length=200, blank=True, validators=[validate_one_line])
    pause_until = models.DateField(_("pause jusqu’au"), null=True, blank=True, validators=[validate_date_in_range])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consumer(self) -> bool:
        return self.kind == self.Kind.CONSUMER

    def is_paused_on(self, day: dt.date) -> bool:
        return self.reminders_paused and (self.pause_until is None or day <= self.pause_until)

    @property
    def address_lines(self) -> list[str]:
        city = " ".join(part for part in [self.postal_code, self.city] if part)
        lines = [self.address_line1, self.address_line2, city]
        if self.country and self.country.strip().lower() != "france":
            lines.append(self.country.upper())
        return [line for line in lines if line]


def invoice_pdf_path(invoice: "Invoice", filename: str) -> str:
    """A random name: the original PDF must not be reachable by guessing its path."""
    return f"invoices/{timezone.localdate():%Y}/{secrets.token_urlsafe(16)}.pdf"


class InvoiceStatus(models.TextChoices):
    NOT_DUE = "not_due", _("Non échue")
    LATE = "late", _("En retard")
    PAID = "paid", _("Payée")
    CANCELLED = "cancelled", _("Annulée")


def status_of(*, cancelled: bool, amount_due: Decimal, due_date: dt.date, day: dt.date) -> str:
    """An invoice's status on `day`, from its stored values (also for rows read without a model)."""
    if cancelled:
        return InvoiceStatus.CANCELLED
    if amount_due <= 0:
        return InvoiceStatus.PAID
    if due_date < day:
        return InvoiceStatus.LATE
    return InvoiceStatus.NOT_DUE


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def open(self) -> "InvoiceQuerySet":
        """Issued, not cancelled, with something still due."""
        return self.filter(cancelled_at__isnull=True, amount_due__gt=0)

    def late_on(self, day: dt.date) -> "InvoiceQuerySet":
        return self.open().filter(due_date__lt=day)


class Invoice(models.Model):
    """A claim on a client. `amount_due` is derived: total − payments − credit notes.

    It is stored (and kept in step by `refresh_amount_due`, called by every service that
    records a payment or a credit note) so that lateness buckets are one cheap aggregate.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invoices")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("numéro"), max_length=50, validators=[validate_one_line])
    issue_date = models.DateField(_("date de facture"), validators=[validate_date_in_range])
    due_date = models.DateField(_("échéance"), validators=[validate_date_in_range])
    total_excl_tax = models.DecimalField(_("total HT"), max_digits=12, decimal_places=2, validators=POSITIVE)
    vat_amount = models.DecimalField(
        _("TVA"), max_digits=12, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    total_incl_tax = models.DecimalField(_("total TTC"), max_digits=12, decimal_places=2, validators=POSITIVE)
    amount_due = models.DecimalField(_("reste dû"), max_digits=12, decimal_places=2, editable=False)
    pdf = models.FileField(_("facture PDF"), upload_to=invoice_pdf_path, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("motif d’annulation"), max_length=200, blank=True, validators=[validate_one_line]
    )
    disputed = models.BooleanField(_("contestée"), default=False)
    dispute_reason = models.CharField(
        _("motif de la contestation"), max_length=200, blank=True, validators=[validate_one_line]
    )
    reminders_paused_until = models.DateField(
        _("relances en pause jusqu’au"), null=True, blank=True, validators=[validate_date_in_range]
    )
    # Set when a saved or sent reminder first quotes the invoice (ledger.services.mark_quoted,
    # under the invoice's row lock): from then on its amounts and dates are frozen, so that the
    # reminder stays true to it.
    quoted_at = models.DateTimeField(_("citée dans une relance le"), null=True, blank=True, editable=False)
    # Set while an open collection case holds the invoice (ledger.services.enter_collection and
    # leave_collection, under the invoice's row lock): the reminders stop, the agency or the
    # court takes over.
    in_collection_since = models.DateField(
        _("en recouvrement depuis le"), null=True, blank=True, editable=False, validators=[validate_date_in_range]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="invoice_number_unique_per_business"),
            models.CheckConstraint(condition=Q(amount_due__gte=0), name="invoice_amount_due_not_negative"),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("issue_date")), name="invoice_due_after_issue"),
        ]
        indexes = [
            # The lateness buckets and the late list filter open invoices by business and date.
            models.Index(fields=["business", "due_date"], name="invoice_open_due", condition=Q(amount_due__gt=0)),
            models.Index(fields=["business", "client"]),
            # Covers the lateness-bucket aggregate (no table read), and SQLite picks it even
            # without planner statistics; measured in bench/README.md.
            models.Index(
                fields=["business", "cancelled_at", "amount_due", "due_date", "issue_date", "client"],
                name="invoice_bucket_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def status_on(self, day: dt.date) -> str:
        return status_of(
            cancelled=self.cancelled_at is not None, amount_due=self.amount_due, due_date=self.due_date, day=day
        )

    def days_late_on(self, day: dt.date) -> int:
        if self.cancelled_at is not None or self.amount_due <= 0:
            return 0
        return max((day - self.due_date).days, 0)

    def computed_amount_due(self) -> Decimal:
        paid = self.payments.aggregate(total=models.Sum("amount"))["total"] or ZERO
        credited = self.credit_notes.aggregate(total=models.Sum("amount"))["total"] or ZERO
        return self.total_incl_tax - paid - credited

    def refresh_amount_due(self) -> None:
        self.amount_due = self.computed_amount_due()
        Invoice.objects.filter(pk=self.pk).update(amount_due=self.amount_due)


class Payment(models.Model):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Virement")
        CHEQUE = "cheque", _("Chèque")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")
        DIRECT_DEBIT = "direct_debit", _("Prélèvement")
        OTHER = "other", _("Autre")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    date = models.DateField(_("date du règlement"), validators=[validate_date_in_range])
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2, validators=POSITIVE)
    method = models.CharField(_("moyen de paiement"), max_length=20, choices=Method.choices, default=Method.TRANSFER)
    reference = models.CharField(_("référence"), max_length=100, blank=True, validators=[validate_one_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["business", "date"])]

    def __str__(self) -> str:
        return f"{self.amount} € le {self.date:%d/%m/%Y}"


class CreditNote(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="credit_notes")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="credit_notes")
    number = models.CharField(_("numéro d’avoir"), max_length=50, validators=[validate_one_line])
    date = models.DateField(_("date"), validators=[validate_date_in_range])
    amount = models.DecimalField(_("montant TTC"), max_digits=12, decimal_places=2, validators=POSITIVE)
    reason = models.CharField(_("motif"), max_length=200, blank=True, validators=[validate_one_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="credit_note_number_unique_per_business"),
        ]

    def __str__(self) -> str:
        return self.number
