"""Leave room on the count state's pages, so that a count's update stays on its page (a HOT update) and a cell's
rows stay together in the order the build wrote them (decision 18). A state built before lies in no useful order:
it is dropped, and the next rebuild (``rebuild_benchmarks``, or else the first live pass) builds it again."""

from django.db import migrations

TABLES = ("benchmarks_cellvalue", "benchmarks_cellbucket", "benchmarks_leafmember", "benchmarks_cellcount")
FILLFACTOR = 80


def _leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DELETE FROM benchmarks_countstate")
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def _fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("benchmarks", "0012_dirtycell_rollup_help"),
    ]

    operations = [
        migrations.RunPython(_leave_room, _fill_pages),
    ]
