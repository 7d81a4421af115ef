"""Collection agencies and collection cases ("mises en recouvrement").

A case takes over some unpaid invoices of one client: an agency (or the business itself, before
a court) now asks for the money. Its invoices leave the reminder flow while it is open
(`Invoice.in_collection_since`, kept by ledger's services). Every change of status is a dated
event; an amount recovered is recorded as payments on the invoices, through ledger's services.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.dates import validate_date_in_range
from core.text import validate_one_line
from ledger.models import ZERO, Client, Invoice, Payment

RATE_BOUNDS = [
    MinValueValidator(ZERO, _("Le taux de commission ne peut pas être négatif.")),
    MaxValueValidator(Decimal("100"), _("Le taux de commission ne peut pas dépasser %(limit_value)s %%.")),
]


class Agency(models.Model):
    """A debt-collection agency the business works with (recouvrement amiable pour autrui)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(_("nom"), max_length=200, validators=[validate_one_line])
    contact_name = models.CharField(_("interlocuteur"), max_length=200, blank=True, validators=[validate_one_line])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=[validate_one_line])
    address = models.TextField(_("adresse"), blank=True)
    commission_rate = models.DecimalField(
        _("commission (%)"), max_digits=5, decimal_places=2, default=ZERO, validators=RATE_BOUNDS
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "name"])]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    TRANSMITTED = "transmitted", _("Transmise")
    IN_PROGRESS = "in_progress", _("En cours")
    PARTIALLY_RECOVERED = "partially_recovered", _("Partiellement recouvrée")
    RECOVERED = "recovered", _("Recouvrée")
    FAILED = "failed", _("Échec")
    CLOSED = "closed", _("Clôturée")


# While a case is in one of these, its invoices are out of the reminder flow.
OPEN_STATUSES = (CaseStatus.TRANSMITTED, CaseStatus.IN_PROGRESS, CaseStatus.PARTIALLY_RECOVERED)


class CollectionCase(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="collection_cases")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="collection_cases")
    # None: the business goes to court itself ("procédure judiciaire"), no agency involved.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("agence")
    )
    invoices = models.ManyToManyField(Invoice, through="CaseInvoice", related_name="collection_cases")
    status = models.CharField(_("statut"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.TRANSMITTED)
    transmitted_on = models.DateField(_("transmise le"), validators=[validate_date_in_range])
    # The agency's rate when the case was opened: a later change of the agency's terms does not
    # rewrite what this case costs.
    commission_rate = models.DecimalField(
        _("commission (%)"), max_digits=5, decimal_places=2, default=ZERO, validators=RATE_BOUNDS
    )
    note = models.TextField(_("note"), blank=True)
    documents = models.TextField(_("documents transmis"), blank=True)
    # The user confirmed that some invoices were past their limitation deadline when transmitted.
    time_barred_confirmed = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-transmitted_on", "-id"]
        indexes = [
            models.Index(fields=["business", "transmitted_on"]),
            models.Index(fields=["business", "status"]),
        ]

    def __str__(self) -> str:
        return f"Dossier n° {self.pk} – {self.client}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency else str(_("Procédure judiciaire"))


class CaseInvoice(models.Model):
    """An invoice of the case, with what it still owed the day the case was transmitted."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="collection_lines")
    amount_claimed = models.DecimalField(_("montant transmis"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice__due_date", "invoice__number"]
        constraints = [models.UniqueConstraint(fields=["case", "invoice"], name="case_invoice_once")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.invoice_id}"


class CaseEvent(models.Model):
    """One dated step of a case: its opening, a change of status, an amount recovered, a note."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"), validators=[validate_date_in_range])
    status = models.CharField(_("statut"), max_length=20, choices=CaseStatus.choices)
    amount = models.DecimalField(_("montant recouvré"), max_digits=12, decimal_places=2, default=ZERO)
    note = models.TextField(_("note"), blank=True)
    # Chosen by the form (or the API caller) before posting: the same event posted twice (a
    # double click, a retried request) is stored, and its money recorded, once.
    key = models.CharField(max_length=64, blank=True)
    payments = models.ManyToManyField(Payment, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], condition=~Q(key=""), name="case_event_key_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="case_event_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} le {self.date:%d/%m/%Y}"
