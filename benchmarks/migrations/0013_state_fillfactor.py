"""Leave room on the count state's pages, so that a count's update stays on its page (a HOT update) and a cell's
rows stay together in the order the build wrote them (decision 18). A state built before lies in no useful order:
it is dropped, and the next rebuild (``rebuild_benchmarks``, or else the first live pass) builds it again."""

from django.db import migrations

TABLES = ("benchmarks_cellvalue", "benchmarks_cellbucket", "benchmarks_leafmember", "benchmarks_cellcount")
FILLFACTOR = 80


def _fillfactor(value: int | None):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        if value is not None:
            schema_editor.execute("DELETE FROM benchmarks_countstate")
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
