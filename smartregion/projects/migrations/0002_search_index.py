"""The full-text index of published projects (see projects/search.py).

SQLite: an FTS5 table whose rowid is the project id. PostgreSQL: a tsvector per project with a
GIN index. No foreign key on purpose: PostgreSQL's flush (TRUNCATE without CASCADE) would refuse
to empty `projects_project`; searches join on published projects instead.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS projects_search "
    "USING fts5(title, summary, body, tokenize = 'unicode61')"
)
POSTGRES_CREATE = [
    "CREATE TABLE IF NOT EXISTS projects_search "
    "(project_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS projects_search_document ON projects_search USING gin (document)",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute("DROP TABLE IF EXISTS projects_search")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
