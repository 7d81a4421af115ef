# The audit log now belongs to the core app (core/migrations/0001_initial.py takes it over);
# nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_invoice_bucket_cover")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
