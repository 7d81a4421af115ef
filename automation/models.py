"""Reminder plans, what the scheduler planned, and the business's automation settings.

A plan is an ordered list of steps (days from the due date, level, channel, approval). What the
scheduler decides for a client's invoices on one day is an `AutoReminder`; each invoice it covers
is an `AutoReminderInvoice` row, unique per (invoice, step): a second reminder for the same step
is impossible, whatever runs twice.
"""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.text import validate_one_line
from dunning.choices import Channel
from dunning.models import Reminder
from ledger.models import Client, Invoice


class StepLevel(models.IntegerChoices):
    """The dunning levels, and before them the courtesy reminder sent before the due date
    (a reminder of level 1 with its own texts, never counted as a relance amiable's step)."""

    COURTESY = 0, _("Rappel de courtoisie")
    FRIENDLY = 1, _("Relance amiable")
    SECOND = 2, _("Seconde relance")
    FORMAL_NOTICE = 3, _("Mise en demeure")


MAX_OFFSET = 365


class AutomationSettings(models.Model):
    """Automation of one business: off until the owner turns it on, the sending window, and
    the scheduler's lease (one scheduler at a time handles a business)."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="automation")
    enabled = models.BooleanField(_("relances automatiques activées"), default=False)
    window_start = models.TimeField(_("envoi à partir de"), default=dt.time(9, 0))
    window_end = models.TimeField(_("envoi jusqu’à"), default=dt.time(18, 0))
    # The scheduler that holds the business until `lease_until` (taken by a conditional UPDATE).
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # The daily summary e-mail covers what happened since `summary_sent_at`.
    summary_sent_at = models.DateTimeField(null=True, blank=True)
    summary_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("automatisation des relances")
        constraints = [
            models.CheckConstraint(condition=Q(window_start__lt=models.F("window_end")), name="window_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.business} : {'activée' if self.enabled else 'désactivée'}"


class Plan(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("nom"), max_length=100, validators=[validate_one_line])
    is_default = models.BooleanField(_("plan par défaut"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business"], condition=Q(is_default=True), name="one_default_plan"),
            models.UniqueConstraint(fields=["business", "name"], name="plan_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanStep(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    offset_days = models.SmallIntegerField(
        _("jours après l’échéance"),
        validators=[MinValueValidator(-MAX_OFFSET), MaxValueValidator(MAX_OFFSET)],
        help_text=_("Négatif : avant l’échéance."),
    )
    level = models.PositiveSmallIntegerField(_("niveau"), choices=StepLevel.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    needs_approval = models.BooleanField(_("à valider avant l’envoi"), default=False)
    # A step removed from the plan is retired, never deleted: what it sent still counts.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_days", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "offset_days"], name="one_step_per_day")]

    def __str__(self) -> str:
        return f"J{self.offset_days:+d} {self.get_level_display()}"


class ClientAutomation(models.Model):
    """A client's own plan, or the client left out of automatic reminders."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="automation")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="clients")
    excluded = models.BooleanField(_("exclu des relances automatiques"), default=False)

    def __str__(self) -> str:
        return f"{self.client} : {self.plan or 'plan par défaut'}"


class InvoiceExclusion(models.Model):
    """An invoice left out of automatic reminders."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="automation_exclusion")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.invoice)


class AutoReminder(models.Model):
    """One automatic reminder of a client's invoices at one step level, decided on one day."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("À valider")
        SENT = "sent", _("Envoyée")
        SAVED = "saved", _("Courrier à imprimer")
        FAILED = "failed", _("Échec")
        DISMISSED = "dismissed", _("Écartée")
        WITHDRAWN = "withdrawn", _("Retirée")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="auto_reminders")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="auto_reminders")
    level = models.PositiveSmallIntegerField(_("niveau"), choices=StepLevel.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    planned_on = models.DateField(_("prévue le"))
    # The dunning reminder (a draft while awaiting approval); null when it could not be made.
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="automatic"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [
            # The nav badge counts these, on every page.
            models.Index(fields=["business"], condition=Q(status="awaiting_approval"), name="autoreminder_awaiting"),
            models.Index(fields=["business", "created_at"], name="autoreminder_business_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} – {self.client} ({self.planned_on:%d/%m/%Y})"


class AutoReminderInvoice(models.Model):
    auto_reminder = models.ForeignKey(AutoReminder, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="auto_reminder_lines")
    step = models.ForeignKey(PlanStep, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "step"], name="one_reminder_per_invoice_step")]

    def __str__(self) -> str:
        return f"{self.invoice} : {self.step}"
