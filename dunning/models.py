from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.dates import validate_date_in_range
from core.text import validate_one_line
from dunning.choices import Channel, Level
from ledger.models import Client, Invoice


class ReminderTemplate(models.Model):
    """The business's text for one level: letter body, e-mail subject and body.

    Texts use placeholders from one fixed list (`dunning.placeholders`), checked on save.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reminder_templates")
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    letter_subject = models.CharField(_("objet du courrier"), max_length=200, validators=[validate_one_line])
    letter_body = models.TextField(_("texte du courrier"))
    email_subject = models.CharField(_("objet de l’e-mail"), max_length=200, validators=[validate_one_line])
    email_body = models.TextField(_("texte de l’e-mail"))
    include_penalties = models.BooleanField(_("inclure les pénalités de retard"), default=False)
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

    def drafts(self) -> "ReminderQuerySet":
        return self.filter(status=Reminder.Status.DRAFT)


class Reminder(models.Model):
    """A reminder about one or more unpaid invoices of one client.

    A draft stores its texts as written, placeholders included, and renders them on every
    preview so that its figures are always current. Freezing (save or send) renders them once:
    `subject`/`body` then hold the rendered text and `snapshot` every figure the reminder showed.

    `subject`/`body` are the texts of the reminder's channel (the e-mail, or the letter). An
    e-mail reminder also carries the letter attached to it as PDF: `letter_subject`/`letter_body`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SAVED = "saved", _("Enregistrée")
        SENDING = "sending", _("Envoi en cours")
        SENT = "sent", _("Envoyée")
        SEND_FAILED = "send_failed", _("Échec d’envoi")
        # The worker stopped while the server had not answered: the e-mail may or may not have
        # reached the client, and only the user can tell (dunning.services.reclaim_stale_sends).
        SEND_UNCERTAIN = "send_uncertain", _("Envoi incertain")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reminders")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="reminders")
    invoices = models.ManyToManyField(Invoice, through="ReminderInvoice", related_name="reminders")
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    subject = models.CharField(_("objet"), max_length=300, validators=[validate_one_line])
    body = models.TextField(_("texte"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    frozen_at = models.DateTimeField(_("enregistrée le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    recipient_email = models.EmailField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    send_error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    registered_number = models.CharField(
        _("n° de recommandé (LRAR)"), max_length=50, blank=True, validators=[validate_one_line]
    )
    receipt_date = models.DateField(
        _("date de réception (accusé)"), null=True, blank=True, validators=[validate_date_in_range]
    )
    pdf = models.FileField(upload_to="reminders/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(_("référence"), max_length=30, blank=True)
    letter_subject = models.CharField(
        _("objet du courrier joint"), max_length=300, blank=True, validators=[validate_one_line]
    )
    letter_body = models.TextField(_("texte du courrier joint"), blank=True)
    include_penalties = models.BooleanField(_("réclamer les pénalités de retard"), default=False)
    attach_invoice_pdfs = models.BooleanField(_("joindre les factures (PDF)"), default=True)
    # When the one worker that sends the e-mail took it (a second run of the task finds it taken):
    # the start of the send, from which the bound of an uncertain send is counted.
    send_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-frozen_at", "-id"]
        indexes = [
            models.Index(fields=["business", "frozen_at"]),
            models.Index(fields=["business", "status"]),
            models.Index(fields=["business", "client"], name="reminder_business_client"),
            # The sweep of unfinished sends reads only these few rows.
            models.Index(fields=["send_claimed_at"], condition=Q(status="sending"), name="reminder_sending_claimed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(frozen_at__isnull=False), name="frozen_reminder_has_date"
            ),
            models.UniqueConstraint(
                fields=["business", "reference"], condition=~Q(reference=""), name="reminder_reference_unique"
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

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def pdf_filename(self) -> str:
        return f"relance-{self.reference or self.pk}.pdf"


class ReminderInvoice(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminder_lines")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reminder", "invoice"], name="reminder_invoice_once")]

    def __str__(self) -> str:
        return f"{self.reminder_id} → {self.invoice_id}"


class ArchiveExport(models.Model):
    """A PDF archive of the business's saved and sent reminders over a date range.

    Built by `dunning.archive_task.build_archive_export`: a ZIP of the stored letters with a
    manifest, and one merged PDF for printing. `claim_token` names the run that owns the row;
    `heartbeat_at` lets another run take over an export whose worker died.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Échec")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="archive_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date_from = models.DateField(_("du"), validators=[validate_date_in_range])
    date_to = models.DateField(_("au"), validators=[validate_date_in_range])
    include_inactive = models.BooleanField(_("inclure les relances désactivées"), default=False)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    merged_pdf = models.FileField(upload_to="archives/", blank=True, max_length=300)
    merged_pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    zip_file = models.FileField(upload_to="archives/", blank=True, max_length=300)
    zip_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "created_at"], name="archive_business_created")]
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=models.F("date_to")), name="archive_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"Archive du {self.date_from:%d/%m/%Y} au {self.date_to:%d/%m/%Y}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def download_stem(self) -> str:
        return f"relances-du-{self.date_from:%Y-%m-%d}-au-{self.date_to:%Y-%m-%d}"

    @property
    def merged_pdf_size_text(self) -> str:
        return file_size_text(self.merged_pdf_size)

    @property
    def zip_size_text(self) -> str:
        return file_size_text(self.zip_size)


def file_size_text(size: int | None) -> str:
    """55 296 → "54 ko", 12 897 484 → "12,3 Mo": French units whatever language the browser asks for."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size}\u00a0o"
    if size < 1024**2:
        return f"{round(size / 1024)}\u00a0ko"
    if size < 1024**3:
        return f"{size / 1024**2:.1f}".replace(".", ",") + "\u00a0Mo"
    return f"{size / 1024**3:.1f}".replace(".", ",") + "\u00a0Go"
