import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Business

# CSV import


def csv_upload_path(csv_import: "CsvImport", filename: str) -> str:
    """A random name: the uploaded books must not be reachable by guessing a path."""
    return f"imports/csv/{csv_import.business_id}/{secrets.token_urlsafe(16)}.csv"


class CsvImport(models.Model):
    """A CSV file of clients, invoices or payments, its column mapping and its last run.

    The file itself stays in the media storage (never in the database). A run (a dry run or
    the commit) goes through `imports.csv_task.run_csv_import`, inline for a small file and
    in the background for a large one; `claim_token` names the run that owns the row and
    `heartbeat_at` lets another run take over one whose worker died. The report of the last run
    is kept here: counts, the first errors and the first actions.
    """

    class Kind(models.TextChoices):
        CLIENTS = "clients", _("Clients")
        INVOICES = "invoices", _("Factures")
        PAYMENTS = "payments", _("Règlements")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("À vérifier")
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="csv_imports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("contenu"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=csv_upload_path, max_length=300)
    original_name = models.CharField(_("fichier"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1)
    headers = models.JSONField(default=list)
    rows_total = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.MAPPING)
    dry_run = models.BooleanField(default=True)
    progress_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    clients_created = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    failure = models.TextField(blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(_("importé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "created_at"], name="csv_import_business_created")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_commit(self) -> bool:
        """Checked by a dry run of the current mapping that found nothing wrong, and not imported yet."""
        return self.status == self.Status.DONE and self.dry_run and self.error_count == 0 and self.committed_at is None

    @property
    def percent(self) -> int:
        return min(100, self.progress_done * 100 // self.rows_total) if self.rows_total else 0

    def report(self) -> dict[str, object]:
        """The API's report of the last run (`created`, `updated`, `errors` as documented)."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows_total,
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "clients_created": self.clients_created,
            "error_count": self.error_count,
            "errors": self.errors,
            "committed": self.committed_at is not None,
        }
