"""SQLite: the backend fills the FTS5 index with one INSERT ... SELECT per batch of new
documents instead of a trigger per row (about 8x faster on 100,000 documents). The
facet rows lose their single-column document index: the (document, facet, value) index
already serves every lookup by document."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_FORWARD = ["DROP TRIGGER IF EXISTS search_document_ai"]
SQLITE_BACKWARD = [
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_generation")]

    operations = [
        migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD)),
        migrations.AlterField(
            model_name="facetvalue",
            name="document",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="facets",
                to="search.document",
            ),
        ),
    ]
