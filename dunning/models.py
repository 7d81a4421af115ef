from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Business
from ledger.models import Client, Invoice


class Level(models.IntegerChoices):
    FRIENDLY = 1, "Relance amiable"
    SECOND = 2, "Seconde relance"
    FORMAL_NOTICE = 3, "Mise en demeure"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Courrier"


class ReminderTemplate(models.Model):
    """The business's text for one level: letter body, e-mail subject and body.

    Texts use placeholders from one fixed list (`dunning.placeholders`), checked on save.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reminder_templates")
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices)
    letter_subject = models.CharField("objet du courrier", max_length=200)
    letter_body = models.TextField("texte du courrier")
    email_subject = models.CharField("objet de l’e-mail", max_length=200)
    email_body = models.TextField("texte de l’e-mail")
    include_penalties = models.BooleanField("inclure les pénalités de retard", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["business", "level"], name="one_template_per_level")]

    def __str__(self) -> str:
        return self.get_level_display()


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def frozen(self) -> "ReminderQuerySet":
        """Saved or sent (or being sent): counted for the next level, never editable."""
        return self.exclude(status=Reminder.Status.DRAFT)

    def visible(self) -> "ReminderQuerySet":
        return self.frozen().filter(deactivated_at__isnull=True)


class Reminder(models.Model):
    """A reminder about one or more unpaid invoices of one client."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SAVED = "saved", "Enregistrée"
        SENDING = "sending", "Envoi en cours"
        SENT = "sent", "Envoyée"
        SEND_FAILED = "send_failed", "Échec d’envoi"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reminders")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="reminders")
    invoices = models.ManyToManyField(Invoice, through="ReminderInvoice", related_name="reminders")
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.DRAFT)
    subject = models.CharField("objet", max_length=300)
    body = models.TextField("texte")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    frozen_at = models.DateTimeField("enregistrée le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    recipient_email = models.EmailField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    send_error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    registered_number = models.CharField("n° de recommandé (LRAR)", max_length=50, blank=True)
    receipt_date = models.DateField("date de réception (accusé)", null=True, blank=True)
    pdf = models.FileField(upload_to="reminders/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-frozen_at", "-id"]
        indexes = [
            models.Index(fields=["business", "frozen_at"]),
            models.Index(fields=["business", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(frozen_at__isnull=False), name="frozen_reminder_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} – {self.client}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class ReminderInvoice(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminder_lines")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reminder", "invoice"], name="reminder_invoice_once")]
