from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what and when, on invoices, payments, credit notes, clients, reminders and settings.

    Every app writes it (through `core.audit.record`), so it lives at the bottom. It points at rows
    of the apps above by lazy reference ("app.Model"): the database keeps the links, no Python
    import runs upward.
    """

    business = models.ForeignKey("accounts.Business", on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    # For events about an invoice's payments or credit notes, the invoice, so that the
    # invoice page shows its whole story with one query.
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    client = models.ForeignKey("ledger.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table keeps the name it was created with in the ledger app.
        db_table = "ledger_auditevent"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "object_type", "object_id"], name="ledger_audi_busines_b22261_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"
