"""Create the floor's one table (run once before serving)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_app.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from floor_app.models import Save  # noqa: E402

if Save._meta.db_table not in connection.introspection.table_names():
    with connection.schema_editor() as editor:
        editor.create_model(Save)
print("floor table ready")
