import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=40)),
                ("key", models.CharField(max_length=100)),
                ("title", models.TextField()),
                ("body", models.TextField(blank=True)),
            ],
            options={
                "db_table": "search_document",
                "indexes": [models.Index(fields=["kind", "title"], name="search_doc_kind_title")],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "key"), name="search_document_kind_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="FacetValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("facet", models.CharField(max_length=40)),
                ("value", models.CharField(max_length=200)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="facets",
                        to="search.document",
                    ),
                ),
            ],
            options={
                "db_table": "search_facetvalue",
                "indexes": [
                    models.Index(fields=["document", "facet", "value"], name="search_facet_doc"),
                    models.Index(fields=["facet", "value"], name="search_facet_value"),
                ],
            },
        ),
    ]
