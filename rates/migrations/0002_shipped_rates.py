"""Load the rate tables shipped in law/data (with their sources and known-through dates)."""

import datetime as dt

from django.db import migrations

from law.ratefiles import SHIPPED_ECB, SHIPPED_LEGAL, parse_rate_file


def load(apps, schema_editor):
    EcbRate = apps.get_model("law", "EcbRate")
    LegalRate = apps.get_model("law", "LegalRate")
    RateTableStatus = apps.get_model("law", "RateTableStatus")
    ecb = parse_rate_file(SHIPPED_ECB.read_bytes())
    legal = parse_rate_file(SHIPPED_LEGAL.read_bytes())
    for change in ecb.ecb_changes:
        EcbRate.objects.update_or_create(
            effective_date=change.effective_date, defaults={"rate": change.rate, "source": change.source}
        )
    for rate in legal.legal_rates:
        LegalRate.objects.update_or_create(
            semester_start=rate.half_year.start,
            defaults={"particuliers": rate.particuliers, "autres": rate.autres, "source": rate.source},
        )
    note = f"Tables livrées avec Relance (law/data), chargées le {dt.date.today():%d/%m/%Y}."
    RateTableStatus.objects.update_or_create(table="ecb", defaults={"known_through": ecb.known_through, "note": note})
    RateTableStatus.objects.update_or_create(
        table="legal", defaults={"known_through": legal.known_through.start, "note": note}
    )


def unload(apps, schema_editor):
    for model in ("EcbRate", "LegalRate", "RateTableStatus"):
        apps.get_model("law", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("law", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
