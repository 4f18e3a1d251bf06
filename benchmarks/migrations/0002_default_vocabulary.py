from django.db import migrations


def install(apps, schema_editor):
    from benchmarks import vocabulary

    vocabulary.install(apps)


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
