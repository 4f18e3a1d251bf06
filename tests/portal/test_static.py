import pytest
from django.core.management import call_command


def test_the_production_static_storage_collects_every_file(settings, tmp_path):
    """collectstatic with the hashed, compressed storage of production: a file referencing a missing one fails it."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/chart.umd.min.*.js"))


@pytest.mark.parametrize("name", ["vendor/htmx.min.js", "vendor/chart.umd.min.js", "css/portal.css"])
def test_front_end_assets_are_served_by_the_project(client, name, settings):
    from django.contrib.staticfiles import finders

    assert finders.find(name), f"{name} is missing from static/"
