# The audit log moved from the ledger app to core: the table and its rows stay where they are,
# only Django's idea of which app owns the model changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("ledger", "0003_auditevent_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(max_length=50)),
                        ("object_type", models.CharField(max_length=30)),
                        ("object_id", models.BigIntegerField()),
                        ("object_repr", models.CharField(max_length=200)),
                        ("changes", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "business",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="audit_events",
                                to="accounts.business",
                            ),
                        ),
                        (
                            "client",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="ledger.client",
                            ),
                        ),
                        (
                            "invoice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="ledger.invoice",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ledger_auditevent",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["business", "object_type", "object_id"], name="ledger_audi_busines_b22261_idx"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
