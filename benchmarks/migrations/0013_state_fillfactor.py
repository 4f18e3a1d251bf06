"""Leave room on the count state's pages, so that a count's update stays on its page (a HOT update) and a cell's
rows stay together in the order the build wrote them (decision 18)."""

from django.db import migrations

TABLES = ("benchmarks_cellvalue", "benchmarks_cellbucket", "benchmarks_leafmember", "benchmarks_cellcount")
FILLFACTOR = 80


def _fillfactor(value: int | None):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            if value is None:
                schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
            else:
                schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("benchmarks", "0012_dirtycell_rollup_help"),
    ]

    operations = [
        migrations.RunPython(_fillfactor(FILLFACTOR), _fillfactor(None)),
    ]
