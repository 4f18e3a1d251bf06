"""trainers.ingestion through import_surveys and the admin upload: per-row outcomes, re-runs, broken files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.models import Source
from tests.factories import StaffFactory, this_month
from trainers.choices import SurveyStatus
from trainers.ingestion import COLUMNS, IngestionError, ingest_csv
from trainers.models import PaySurvey

pytestmark = pytest.mark.django_db
MONTH = this_month().strftime("%Y-%m")


def csv_bytes(*rows: dict, columns=COLUMNS) -> bytes:
    lines = [",".join(columns)] + [",".join(str(values.get(name, "")) for name in columns) for values in rows]
    return ("\n".join(lines) + "\n").encode()


def good(**overrides) -> dict:
    values = {"period": MONTH, "platform": "Outlier", "domain": "generalist", "skill_tier": "entry", "country": "us",
        "currency": "USD", "amount": "15", "unit": "hour"}  # fmt: skip
    values.update(overrides)
    return values


@pytest.fixture
def source(db):
    return Source.objects.create(slug="import-test", name="Import test", kind="import")


def run(data: bytes, source, **kwargs):
    results = []
    summary = ingest_csv(io.BytesIO(data), source=source, on_row=results.append, **kwargs)
    return summary, results


def test_rows_are_accepted_flagged_or_rejected_with_reasons(source):
    rows = [good(amount=str(15 + n % 4), external_id=f"n{n}") for n in range(25)]
    run(csv_bytes(*rows), source)
    summary, results = run(
        csv_bytes(
            good(external_id="ok"),
            good(amount="1200", external_id="big"),
            good(domain="astrology"),
            good(unit="task"),
            good(period="2001-01"),
            good(country="XX"),
        ),
        source,
    )
    assert [r.status for r in results] == ["accepted", "flagged", "rejected", "rejected", "rejected", "rejected"]
    assert "domain" in results[2].reason
    assert "minutes" in results[3].reason
    assert "period" in results[4].reason.lower() or "month" in results[4].reason
    assert "country" in results[5].reason
    assert summary.counts == {"accepted": 1, "flagged": 1, "rejected": 4}
    assert PaySurvey.objects.get(external_id="big").status == SurveyStatus.FLAGGED


def test_platform_aliases_resolve_to_one_platform(source):
    run(csv_bytes(good(platform="outlier.ai", external_id="a"), good(platform="Outlier", external_id="b")), source)
    assert set(PaySurvey.objects.values_list("platform__slug", flat=True)) == {"outlier"}


def test_re_running_the_same_file_changes_nothing(source):
    data = csv_bytes(good(external_id="a"), good(amount="16"), good(amount="17", unit="hour"), good(domain="nope"))
    first, _ = run(data, source)
    before = list(PaySurvey.objects.order_by("pk").values_list("pk", "updated_at", "status"))
    history = PaySurvey.history.count()
    second, results = run(data, source)
    assert list(PaySurvey.objects.order_by("pk").values_list("pk", "updated_at", "status")) == before
    assert PaySurvey.history.count() == history
    assert second.counts == first.counts
    assert [r.unchanged for r in results] == [True, True, True, False]


def test_of_two_rows_with_one_external_id_the_later_wins_even_when_it_matches_what_is_stored(source):
    run(csv_bytes(good(amount="15", external_id="twice")), source)
    _, results = run(csv_bytes(good(amount="16", external_id="twice"), good(amount="15", external_id="twice")), source)
    assert [r.unchanged for r in results] == [False, False]
    assert PaySurvey.objects.get(external_id="twice").amount == 15


@pytest.mark.parametrize("batch_size", [1000, 1], ids=["one-batch", "a-batch-a-row"])
def test_a_row_repeating_an_earlier_rows_external_id_wins_and_its_report_says_so(source, batch_size):
    data = csv_bytes(
        good(amount="15", external_id="twice"), good(external_id="once"), good(amount="16", external_id="twice")
    )
    summary, results = run(data, source, batch_size=batch_size)
    assert [r.status for r in results] == ["accepted"] * 3
    assert results[0].reason == results[1].reason == ""
    assert results[2].reason == "external_id 'twice' was also on row 1; the last valid row with it is the one kept."
    assert PaySurvey.objects.get(external_id="twice").amount == 16
    assert summary.rows == 3


def test_a_repeated_external_id_is_reported_on_a_rejected_later_row_and_the_earlier_row_stands(source):
    data = csv_bytes(good(amount="15", external_id="twice"), good(domain="nope", external_id="twice"))
    _, results = run(data, source)
    assert results[1].status == "rejected"
    assert results[1].reason.startswith("domain: unknown domain 'nope'")
    assert results[1].reason.endswith(
        "; external_id 'twice' was also on row 1; the last valid row with it is the one kept."
    )
    assert PaySurvey.objects.get(external_id="twice").amount == 15


def test_a_repeated_external_id_is_reported_on_a_dry_run_too(source):
    _, results = run(csv_bytes(good(external_id="twice"), good(amount="16", external_id="twice")), source, dry_run=True)
    assert "was also on row 1" in results[1].reason
    assert PaySurvey.objects.count() == 0


def test_a_row_with_several_bad_fields_names_each_in_column_order(source):
    row = good(period="March", platform="Nowhere", country="XX", currency="XYZ", amount="", unit="fortnight",
        hours_per_week="lots", engagement="sometimes", external_id="x" * 101)  # fmt: skip
    _, [result] = run(csv_bytes(row), source)
    named = [part.split(":")[0] for part in result.reason.split("; ") if ":" in part and " " not in part.split(":")[0]]
    assert named == ["period", "platform", "country", "currency", "amount", "unit", "hours_per_week", "engagement",
        "external_id"], result.reason  # fmt: skip
    assert "amount: required." in result.reason


def test_rows_without_external_id_are_identified_by_their_content(source):
    run(csv_bytes(good(amount="16", platform="Outlier")), source)
    _, [result] = run(csv_bytes(good(amount="16.00", platform="outlier.ai")), source)
    assert result.unchanged
    assert PaySurvey.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"period,platform,amount\n2025-01,Outlier,15\n", "Wrong columns"),
        (csv_bytes(good()).replace(b"unit", b"units"), "Wrong columns"),
        (b"", "empty"),
        (csv_bytes(good(), good()) + "2025-01,Outlier,généraliste".encode("latin-1") + b"\n", "UTF-8"),
        (csv_bytes(good(external_id="x" * 5000)), "longer than"),
        (csv_bytes(good()) + b"2025-01,Outlier\n", "values"),
    ],
    ids=["missing-columns", "unknown-column", "empty", "latin-1", "huge-row", "short-row"],
)
def test_a_broken_file_is_refused_whole_and_nothing_is_stored(source, data, message):
    with pytest.raises(IngestionError, match=message):
        run(data, source)
    assert PaySurvey.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (csv_bytes(good(external_id="a"), good(external_id="OPEN"), good(external_id="c")), "Row 2 (line 3): a quote"),
        (csv_bytes(good(external_id="a"), good(external_id="OPEN")).rstrip(b"\n"), "Row 2 (line 3): a quote"),
        (csv_bytes(good(platform="OPEN"), good(platform='Outlier"')), "Row 1 (line 2): a quote"),
    ],
    ids=["swallowing-the-next-row", "at-the-end-of-the-file", "closed-on-a-later-line"],
)
def test_an_unclosed_quote_refuses_the_file_whole_with_its_line(source, data, message):
    with pytest.raises(IngestionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(data.replace(b"OPEN", b'"b'), source)
    assert PaySurvey.objects.count() == 0


def test_a_file_over_the_byte_limit_is_refused_whole(source):
    data = csv_bytes(*[good(external_id=f"r{n}") for n in range(50)])
    with pytest.raises(IngestionError, match="larger than"):
        run(data, source, max_bytes=len(data) - 10)
    assert PaySurvey.objects.count() == 0


def test_dry_run_screens_every_row_and_stores_nothing(source):
    summary, results = run(csv_bytes(good(external_id="a"), good(domain="nope")), source, dry_run=True)
    assert [r.status for r in results] == ["accepted", "rejected"]
    assert summary.dry_run and PaySurvey.objects.count() == 0


def test_progress_is_reported_after_each_batch(source):
    calls = []
    rows = [good(amount=str(10 + n), external_id=f"r{n}") for n in range(7)]
    run(csv_bytes(*rows), source, batch_size=3, progress=lambda done, read: calls.append((done, read)))
    assert [done for done, _ in calls] == [3, 6, 7]
    assert calls[-1][1] > 0


def test_import_surveys_prints_each_row_and_a_summary(tmp_path, capsys):
    path = tmp_path / "surveys.csv"
    path.write_bytes(csv_bytes(good(external_id="a"), good(domain="nope", external_id="b")))
    call_command("import_surveys", str(path), "--source", "Research Co")
    out = capsys.readouterr().out
    assert "row 1: accepted" in out and "row 2: rejected" in out and "domain" in out
    assert "2 rows: 1 accepted, 0 flagged, 1 rejected" in out
    assert Source.objects.get(name="Research Co").kind == "import"
    call_command("import_surveys", str(path), "--source", "Research Co")
    assert "(unchanged)" in capsys.readouterr().out
    assert PaySurvey.objects.count() == 1


def test_import_surveys_dry_run_stores_nothing(tmp_path, capsys):
    path = tmp_path / "surveys.csv"
    path.write_bytes(csv_bytes(good(external_id="a")))
    call_command("import_surveys", str(path), "--source", "Research Co", "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert PaySurvey.objects.count() == 0


def test_import_surveys_names_the_broken_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"name,salary\nx,1\n")
    with pytest.raises(CommandError, match=r"Wrong columns.*Nothing was imported"):
        call_command("import_surveys", str(path), "--source", "Research Co")


def test_the_admin_upload_uses_the_same_service(client, source):
    client.force_login(StaffFactory())
    upload = SimpleUploadedFile("s.csv", csv_bytes(good(external_id="a"), good(domain="nope")), "text/csv")
    response = client.post("/admin/portal/partner/import-surveys/", {"file": upload, "source": source.pk})
    assert response.status_code == 200
    assert b"2 rows: 1 accepted, 0 flagged, 1 rejected" in response.content
    assert b"unknown domain" in response.content
    assert PaySurvey.objects.get().source == source


def test_the_admin_upload_refuses_a_broken_file(client, source):
    client.force_login(StaffFactory())
    upload = SimpleUploadedFile("s.csv", b"name,salary\nx,1\n", "text/csv")
    response = client.post("/admin/portal/partner/import-surveys/", {"file": upload, "new_source": "Fresh"})
    assert b"Wrong columns" in response.content
    assert PaySurvey.objects.count() == 0


def test_an_import_of_many_batches_asks_for_one_recompute_after_its_last(source, django_capture_on_commit_callbacks):
    from unittest import mock

    from benchmarks.models import DirtyCell

    rows = [good(amount=str(15 + n % 4), external_id=f"b{n}", country=("US", "GB", "IN")[n % 3]) for n in range(30)]
    with (
        mock.patch("benchmarks.tasks.recompute_request") as recompute,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        summary, _ = run(csv_bytes(*rows), source, batch_size=7)  # five batches, five savepoints
    assert summary.counts["accepted"] == 30
    assert len(callbacks) == 2  # the recompute, and the history backfill of the file's months
    recompute.assert_called_once_with(bulk=True)  # after a countdown, so back-to-back pushes share it
    assert set(DirtyCell.objects.values_list("country", flat=True)) == {"US", "GB", "IN"}  # every leaf still listed
