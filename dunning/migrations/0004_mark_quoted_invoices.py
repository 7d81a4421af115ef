# Invoices quoted by a saved or sent reminder before ledger's `Invoice.quoted_at` existed get
# the moment of the first such reminder, so that they stay locked against edits.

from django.db import migrations
from django.db.models import Min


def mark(apps, schema_editor):
    Invoice = apps.get_model("ledger", "Invoice")
    ReminderInvoice = apps.get_model("dunning", "ReminderInvoice")
    first = (
        ReminderInvoice.objects.exclude(reminder__status="draft")
        .values("invoice_id")
        .annotate(at=Min("reminder__frozen_at"))
    )
    for row in first:
        Invoice.objects.filter(pk=row["invoice_id"]).update(quoted_at=row["at"])


class Migration(migrations.Migration):
    dependencies = [
        ("dunning", "0003_archive_export"),
        ("ledger", "0004_invoice_quoted_at"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
