from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from dunning.models import file_size_text


class AccountExport(models.Model):
    """A full-account export: every row of the business as JSON, with its stored PDFs, in a ZIP.

    Built in the background by `exports.tasks.build_account_export`, which claims the row under
    `claim_token`; `heartbeat_at` lets another run take over an export whose worker died (the
    pattern of dunning's PDF archive).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Échec")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="account_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    zip_file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    zip_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "created_at"], name="account_export_business")]

    def __str__(self) -> str:
        return f"Export du compte du {self.created_at:%d/%m/%Y}"

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
    def download_name(self) -> str:
        return f"relance-export-complet-{self.created_at:%Y-%m-%d}.zip"

    @property
    def zip_size_text(self) -> str:
        return file_size_text(self.zip_size)
