"""The live report: the original study's findings restated with today's numbers, computed only from the cells.

Every number comes from ``benchmarks.selectors``, so suppression applies here as everywhere: a cell with fewer than
5 contributors shows no figures, p10 and p90 need 10, counts are bands of 5 ("10–14") or "withheld" where the
differencing check says so. Nothing in the report is typed in except the original study's published figures, kept
for comparison and labelled as such.
"""

from django.conf import settings
from django.utils import timezone

from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.models import Domain
from benchmarks.privacy import COUNT_BAND
from benchmarks.selectors import ALL, PublishedCell, cell_get, cells_last_updated, cells_published, fewer_than_minimum
from benchmarks.trends import cell_trend

from .csvfiles import csv_text

DOMAIN_RANGE_SLUGS = ("medicine", "engineering", "law")
EXPERT_TIERS = (SkillTier.EXPERT, SkillTier.TOP_EXPERT)
PUBLISHED_2025 = {
    "entry_generalist_us": "$12.50 – $15.50",
    "expert_upper_range": "more than $100",
    "medicine": "$60 – over $180",
    "engineering": "$80 – over $150",
    "law": "$80 – over $150",
}
CELL_FIELDS = (
    "key", "label", "domain", "domain_name", "tier", "tier_label", "country", "country_label", "kind", "kind_label",
    "suppressed", "tails_suppressed", "counts_withheld", "contributors_display", "contributors", "contributors_band",
    "observations", "observations_band", "sources", "platforms", "verified_share", "p10", "p25", "p50", "p75", "p90",
)  # fmt: skip


def cell_summary(cell: PublishedCell | None, *, label: str = "") -> dict:
    """A cell as the report shows it; a cell with no data at all reads as suppressed (there is nothing to show)."""
    if cell is None:
        empty = dict.fromkeys(CELL_FIELDS)
        return empty | {
            "label": label,
            "suppressed": True,
            "tails_suppressed": True,
            "counts_withheld": False,
            "contributors_display": fewer_than_minimum(),
        }
    return {name: getattr(cell, name) for name in CELL_FIELDS}


def report_figures(*, segment: str = "") -> dict:
    """The live report as plain, JSON-serialisable values (also served at ``/api/v1/report/``), from every
    observation's cells or from one segment's (``"verified"``: verified data only).

    Shape (every ``cell`` below has the keys of ``CELL_FIELDS``: ``key``, ``label``, ``domain``, ``domain_name``,
    ``tier``, ``tier_label``, ``country``, ``country_label``, ``kind``, ``kind_label``, ``suppressed``,
    ``tails_suppressed``, ``counts_withheld``, ``contributors_display``, ``contributors``, ``contributors_band``,
    ``observations``, ``observations_band``, ``sources``, ``platforms``, ``verified_share``, ``p10``, ``p25``, ``p50``,
    ``p75``, ``p90`` — US dollars an hour, ``None`` where suppressed; counts are bands, see ``benchmarks.selectors``)::

        {
          "generated_at": ISO 8601 datetime,
          "last_updated": ISO 8601 datetime of the newest cell, or None before the first computation,
          "segment": "" or "verified", "window_months": 12, "min_contributors": 5, "min_contributors_tails": 10,
          "totals": {"data_points": int | None, "data_points_display": str | None, "sources": int | None,
                     "suppressed": bool, "partial": bool,
                     "by_kind": {"reported": cell, "advertised": cell}},     # all domains, tiers, countries
          "entry_generalist_us": {"published_2025": str, "reported": cell, "advertised": cell},  # p25–p75
          "expert_upper_range": [{"tier": str, "tier_label": str, "published_2025": str,
                                  "reported": cell, "advertised": cell}],     # p75–p90, all domains and countries
          "domain_ranges": [{"domain": slug, "name": str, "published_2025": str,
                             "reported": cell, "advertised": cell}],          # p10–p90: medicine, engineering, law
          "advertised_vs_reported": [{"domain": slug, "name": str, "reported": cell, "advertised": cell}],
        }

    ``totals.data_points`` adds the published observation bands of the two all-cells: it is the sum of their lower
    bounds, and ``data_points_display`` the range the true total lies in ("1,230–1,238"). ``totals.sources`` adds
    their sources (a source feeds one kind only: companies advertise, surveys and feeds report). A suppressed
    all-cell is left out of both sums, one with withheld counts out of the data points (``partial`` is then true),
    so its counts cannot be worked out; with nothing left to add they are None.
    """
    by_country_all = {
        (cell.domain, cell.tier, cell.kind): cell
        for cell in cells_published(country=ALL, include_suppressed=True, segment=segment)
    }
    kinds = (ObservationKind.REPORTED, ObservationKind.ADVERTISED)
    domains = list(Domain.objects.active().order_by("position", "name").values_list("slug", "name"))
    names = dict(domains) | {ALL: "All domains"}

    def pair(domain: str, tier: str) -> dict:
        label = f"{names.get(domain, domain)} · {'All tiers' if tier == ALL else SkillTier(tier).label} · All countries"
        return {kind: cell_summary(by_country_all.get((domain, tier, kind)), label=label) for kind in kinds}

    totals = pair(ALL, ALL)
    # Counts of a suppressed all-cell stay unpublished, also inside a sum: the other kind's published count would
    # give them away by subtraction. The totals then cover the published kinds only ("partial").
    published = [totals[kind] for kind in kinds if not totals[kind]["suppressed"]]
    counted = [cell for cell in published if not cell["counts_withheld"]]
    data_points = sum(cell["observations"] for cell in counted) if counted else None
    last_updated = cells_last_updated()
    entry = {
        kind: cell_summary(
            cell_get(domain="generalist", tier=SkillTier.ENTRY, country="US", kind=kind, segment=segment),
            label="Generalist · Entry · United States",
        )
        for kind in kinds
    }
    return {
        "generated_at": timezone.now().isoformat(),
        "last_updated": last_updated.isoformat() if last_updated else None,
        "segment": segment,
        "window_months": settings.BENCHMARK_WINDOW_MONTHS,
        "min_contributors": settings.BENCHMARK_MIN_CONTRIBUTORS,
        "min_contributors_tails": settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS,
        "account_min_age_days": settings.BENCHMARK_ACCOUNT_MIN_AGE_DAYS,
        "totals": {
            "data_points": data_points,
            "data_points_display": (
                None if data_points is None else f"{data_points:,}–{data_points + (COUNT_BAND - 1) * len(counted):,}"
            ),
            "sources": sum(cell["sources"] for cell in published) if published else None,
            "suppressed": not published,
            "partial": len(counted) < len(kinds),
            "by_kind": totals,
        },
        "entry_generalist_us": {"published_2025": PUBLISHED_2025["entry_generalist_us"], **entry},
        "expert_upper_range": [
            {
                "tier": tier.value,
                "tier_label": tier.label,
                "published_2025": PUBLISHED_2025["expert_upper_range"],
                **pair(ALL, tier.value),
            }
            for tier in EXPERT_TIERS
        ],
        "domain_ranges": [
            {"domain": slug, "name": names.get(slug, slug), "published_2025": PUBLISHED_2025[slug], **pair(slug, ALL)}
            for slug in DOMAIN_RANGE_SLUGS
        ],
        "advertised_vs_reported": [{"domain": slug, "name": name, **pair(slug, ALL)} for slug, name in domains],
    }


TREND_MONTHS = 12


def report_findings(figures: dict) -> list[dict]:
    """The headline findings, each with its then-and-now numbers (from ``figures``) and its last 12 months.

    Each entry: ``key`` (for element ids), ``title``, ``published_2025``, ``ends`` (the percentiles the finding
    quotes, "p25,p75"), ``reported`` and ``advertised`` (report cells) and ``trend`` (a ``benchmarks.trends.Trend``
    of both kinds).
    """
    entry = figures["entry_generalist_us"]
    findings = [
        (
            "entry-generalist-us",
            "Entry-level generalist trainers, US (p25–p75)",
            entry,
            "p25,p75",
            {"domain": "generalist", "tier": SkillTier.ENTRY, "country": "US"},
        )
    ]
    for row in figures["expert_upper_range"]:
        where = {"domain": ALL, "tier": row["tier"], "country": ALL}
        findings.append(
            (f"upper-{row['tier']}", f"{row['tier_label']} trainers, upper range (p75–p90)", row, "p75,p90", where)
        )
    for row in figures["domain_ranges"]:
        where = {"domain": row["domain"], "tier": ALL, "country": ALL}
        findings.append((f"range-{row['domain']}", f"{row['name']}, all tiers (p10–p90)", row, "p10,p90", where))
    return [
        {
            "key": key,
            "title": title,
            "published_2025": row["published_2025"],
            "ends": ends,
            "reported": row[ObservationKind.REPORTED],
            "advertised": row[ObservationKind.ADVERTISED],
            "trend": cell_trend(
                **where,
                segment=figures.get("segment", ""),
                months=TREND_MONTHS,
                label=row[ObservationKind.REPORTED]["label"] or title,
            ),
        }
        for key, title, row, ends, where in findings
    ]


CSV_COLUMNS = ("section", "label", "kind", "contributors", "observations", "sources", "p10", "p25", "p50", "p75", "p90")


def report_csv_rows(figures: dict) -> list[dict]:
    """One row per cell of the report, suppression kept: a suppressed cell has "fewer than 5" and no numbers; counts
    are bands ("10–14") or "withheld"."""
    sections = [
        ("totals", [figures["totals"]["by_kind"]]),
        ("entry_generalist_us", [figures["entry_generalist_us"]]),
        ("expert_upper_range", figures["expert_upper_range"]),
        ("domain_ranges", figures["domain_ranges"]),
        ("advertised_vs_reported", figures["advertised_vs_reported"]),
    ]
    rows = []
    for section, entries in sections:
        for entry in entries:
            for kind in (ObservationKind.REPORTED, ObservationKind.ADVERTISED):
                cell = entry[kind]
                rows.append(
                    {
                        "section": section,
                        "label": cell["label"],
                        "kind": kind,
                        "contributors": cell["contributors_display"],
                        "observations": cell["observations_band"],
                        **{name: cell[name] for name in CSV_COLUMNS[5:]},
                    }
                )
    return rows


def report_csv(figures: dict) -> str:
    return csv_text(report_csv_rows(figures), CSV_COLUMNS)
