"""Full-text parts of the DB search index that depend on the database (an FTS5 table on
SQLite; a tsvector column with GIN indexes and pg_trgm on PostgreSQL). The same idempotent
statements also run after `migrate` (search/apps.py), for test databases built without
migrations."""

from django.db import migrations

from search.backends.db import fulltext_schema_create, fulltext_schema_drop


def forward(apps, schema_editor):
    fulltext_schema_create(schema_editor.connection)


def backward(apps, schema_editor):
    fulltext_schema_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [migrations.RunPython(forward, backward)]
