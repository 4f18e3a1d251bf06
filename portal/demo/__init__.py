"""Synthetic demo data, calibrated so that the live report tells the story of the 2025 study.

Everything is drawn from ``random.Random(seed)``: the same seed, sizes and month give the same rows. Every survey,
posting, company, membership and application is written through its service, so observations, outlier flags and
status rules are exactly what real use would produce; only the many anonymous users are bulk-created.

Pay is log-normal around a US median per (domain, tier); other countries earn a fraction of it that shrinks with
the tier (an expert's rate travels, an entry-level one does not) and more so for licensed professions, paid in the
local currency and in one of the pay units. Calibration (cells of the live report, US dollars an hour):

* generalist · entry · US: median 14, log spread 0.17 → p25–p75 ≈ 12.5–15.5;
* expert and top-expert tiers: p90 above 100 (top experts' p75 ≈ 150);
* medicine, all tiers and countries: mostly experts and top experts → p10–p90 ≈ 65–185;
* engineering and law, likewise → p10–p90 ≈ 80–160.

Periods run over the last 24 months (``HISTORY_MONTHS``), and pay drifts (``pay_trend``): the figures above hold in
the current 12-month window; specialists' expert pay (medicine, engineering, law) rises faster than the rest while
entry-level generalists stay flat; December and January dip; engineering postings' bands pull ahead of what
engineers report. Postings lean to the headline cells (specialists, entry-level generalists in the US) so that each
of them publishes in every 12-month window of the last year. See docs/decisions/0014-demo-history.md.

The demo is labelled as such: companies are named "… (demo)", feeds "… (demo feed)", and the source
``Synthetic demo data`` marks a seeded database (``is_seeded``); seeding a seeded database changes nothing.
"""

from .seeder import SeedReport, is_seeded, seed_demo

__all__ = ["SeedReport", "is_seeded", "seed_demo"]
