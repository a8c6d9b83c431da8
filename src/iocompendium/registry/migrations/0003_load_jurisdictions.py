"""Seed the jurisdictions registry with every ISO 3166-1 country (pycountry)."""

from django.db import migrations


def load(apps, schema_editor):
    from iocompendium.registry.jurisdiction_services import load_jurisdictions

    load_jurisdictions(apps.get_model("registry", "Jurisdiction"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_jurisdiction")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
