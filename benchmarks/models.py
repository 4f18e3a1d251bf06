"""The benchmark engine's vocabulary and its fact table.

Surveys and postings live in other apps; they hand their pay data to this app as ``Observation`` rows through
``benchmarks.services`` and never touch these tables directly.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from .choices import ObservationKind, PayUnit, SkillTier, SourceKind
from .normalisation import PayTerms
from .querysets import DomainQuerySet, ObservationQuerySet, PlatformQuerySet


class Domain(models.Model):
    """A field of expertise trainers work in (medicine, law, ...). Curated by admins."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists; lower first.")

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Currency(models.Model):
    """An ISO 4217 currency that pay can be reported or advertised in."""

    code = models.CharField(max_length=3, primary_key=True, help_text="ISO 4217 code, e.g. USD, EUR, INR.")
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{3}$"), name="currency_code_iso4217"),
        ]

    def __str__(self) -> str:
        return self.code


class PayTermsFields(models.Model):
    """The terms pay is stated on, shared by surveys and postings; each adds its amount (or band) to them."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=10, choices=PayUnit.choices, default=PayUnit.HOUR)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    minutes_per_task = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    project_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def basis(self) -> str:
        """What a per-task or per-project amount is worth in time ("10 min a task", "a 120-hour project"), for
        showing beside it; empty for the other units, whose hours are implied."""
        if self.unit == PayUnit.TASK and self.minutes_per_task:
            return f"{self.minutes_per_task.normalize():f} min a task"
        if self.unit == PayUnit.PROJECT and self.project_hours:
            return f"a {self.project_hours.normalize():f}-hour project"
        return ""

    def terms_for(self, amount, *, amount_field: str = "amount", unpaid_hours_per_week=None) -> PayTerms:
        """``amount`` (one of this row's amounts, stored in ``amount_field``) on this row's terms."""
        return PayTerms(
            amount=amount,
            currency=self.currency_id,
            unit=self.unit,
            hours_per_week=self.hours_per_week,
            minutes_per_task=self.minutes_per_task,
            project_hours=self.project_hours,
            unpaid_hours_per_week=unpaid_hours_per_week,
            amount_field=amount_field,
        )


class ExchangeRate(models.Model):
    """How many US dollars one unit of a currency buys, from ``valid_from`` until the next rate of that currency."""

    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="rates")
    valid_from = models.DateField()
    usd_per_unit = models.DecimalField(max_digits=18, decimal_places=8)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchangerate_one_per_day"),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency_id} = {self.usd_per_unit} USD from {self.valid_from}"


class Platform(models.Model):
    """A company that pays trainers for work (Outlier, Mercor, ...). Aliases make spellings one platform."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)
    website = models.URLField(blank=True)
    active = models.BooleanField(default=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def normalise_alias(text: str) -> str:
    """The form aliases are stored and looked up in: lower case, no scheme, no 'www.', no top-level domain."""
    value = text.strip().lower()
    for prefix in ("https://", "http://", "www."):
        value = value.removeprefix(prefix)
    value = value.split("/")[0]
    for suffix in (".ai", ".com", ".io", ".co", ".org", ".net"):
        value = value.removesuffix(suffix)
    return slugify(value)


class PlatformAlias(models.Model):
    """Another spelling of a platform's name, stored normalised (see ``normalise_alias``)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "platform aliases"

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs):
        self.alias = normalise_alias(self.alias)
        super().save(*args, **kwargs)


class Source(models.Model):
    """Where data points come from: the survey form, one company's postings, a partner feed or an admin import."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    trusted = models.BooleanField(
        default=False,
        help_text="A partner feed an admin vouches for (a national survey, an HR system): its rows count one by one "
        "toward the suppression threshold. An untrusted partner's rows count as one contributor together.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """One data point of hourly pay in USD: an accepted survey (reported) or a published posting (advertised).

    ``origin`` names the row it stands for ("survey:12", "posting:7") so that its owner can update or remove it.
    ``contributor`` names who it counts for: a trainer, a company, or a single imported row.
    ``country`` is empty for a posting open worldwide.
    ``party`` names who it counts for toward the suppression threshold, from ``counts_from`` on (empty: at once); an
    empty party counts for nobody (see ``benchmarks.services.independent_party``).
    A ``flagged`` observation is an outlier awaiting review: left out of every cell, but still one of the values its
    (domain, tier)'s outlier fences are computed from. A ``reviewed`` one was accepted by an admin and is never
    flagged by re-screening.
    """

    origin = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=ObservationKind.choices)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="observations")
    tier = models.CharField(max_length=12, choices=SkillTier.choices)
    country = models.CharField(max_length=2, blank=True)
    period = models.DateField(help_text="First day of the month the pay is for.")
    hourly_usd = models.DecimalField(max_digits=12, decimal_places=4)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="observations")
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contributor = models.CharField(max_length=60)
    party = models.CharField(max_length=60, blank=True)
    counts_from = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    reviewed = models.BooleanField(default=False)
    verified = models.BooleanField(
        default=False,
        help_text="Backed by proof: a document-verified survey, or a verified company's posting. Imported rows never.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["period", "kind"], name="obs_period_kind"),
            models.Index(fields=["domain", "tier", "kind", "period"], name="obs_cell_leaf"),
            # The live recompute of one domain's cells reads its slice from this index alone (an index-only scan
            # already sorted by the first grouping), instead of visiting every heap page a domain's rows are on.
            # PostgreSQL only; other databases ignore covering indexes.
            models.Index(
                fields=["domain", "kind", "tier", "country"],
                include=[
                    "period",
                    "hourly_usd",
                    "contributor",
                    "source_id",
                    "platform_id",
                    "flagged",
                    "party",
                    "counts_from",
                    "verified",
                ],
                name="obs_domain_slice",
            ),
            # Re-screening a (domain, tier) against new fences reads only the values beyond them (the two tails of
            # this index) and the few flagged ones (the partial index), not every value of the pair.
            models.Index(fields=["domain", "tier", "kind", "hourly_usd"], name="obs_pair_rate"),
            models.Index(fields=["domain", "tier"], condition=Q(flagged=True), name="obs_flagged"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_usd__gt=Decimal("0")), name="observation_rate_positive"),
            models.CheckConstraint(condition=Q(kind__in=ObservationKind.values), name="observation_kind_valid"),
            models.CheckConstraint(condition=Q(tier__in=SkillTier.values), name="observation_tier_valid"),
            models.CheckConstraint(condition=~Q(flagged=True, reviewed=True), name="observation_reviewed_not_flagged"),
            models.CheckConstraint(
                condition=Q(flagged=False) | Q(kind=ObservationKind.REPORTED), name="observation_only_reported_flagged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin}: {self.hourly_usd} USD/h"


class DirtyCell(models.Model):
    """A leaf (domain, tier, country, kind) whose observations changed since its cells were last computed.

    Rows are written in the same transaction as the change, so a lost task message loses nothing: the periodic
    sweep recomputes whatever is still listed here. A leaf may be listed more than once: writers only ever insert,
    so a write never waits for a recompute that holds the rows it took (it deletes exactly those rows).

    Writers list a leaf with ``rollup=False``. The engine's fast pass publishes the leaf's cells and, in the same
    transaction, lists it again with ``rollup=True`` for the slower, coalesced rollup pass: the outlier fences of its
    (domain, tier) and, on SQLite, its all-domains cells (see ``benchmarks.engine``).
    """

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=12, choices=SkillTier.choices)
    country = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=12, choices=ObservationKind.choices)
    rollup = models.BooleanField(
        default=False,
        help_text="Its cells are published; the rollup pass has yet to take it (fences; on SQLite, all-domains cells).",
    )
    marked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        suffix = " (all-domains rollup)" if self.rollup else ""
        return f"{self.domain_id}/{self.tier}/{self.country or 'worldwide'}/{self.kind}{suffix}"


# --- Computed cells -----------------------------------------------------------------------------------------------

ALL = "*"
"""Stands for "every value" of a dimension in a cell: every tier, every country. ``domain=None`` means every domain.

``country=""`` is not "all": it is the leaf of postings open worldwide."""


VERIFIED = "verified"
"""The segment of verified observations only."""

PLATFORM_PREFIX = "platform:"


def platform_segment(platform_id: int) -> str:
    """The segment of one platform's reported pay: "platform:7"."""
    return f"{PLATFORM_PREFIX}{platform_id}"


def cell_key(domain_id: int | None, tier: str, country: str, kind: str, segment: str = "") -> str:
    """The one string that names a cell, so that uniqueness holds with a nullable domain on every database.

    Cells of every observation (segment "") keep the keys they had before segments existed."""
    key = f"{ALL if domain_id is None else domain_id}|{tier}|{country}|{kind}"
    return f"{key}|{segment}" if segment else key


STAT_FIELDS = (
    "contributors", "independent", "verified", "observations", "sources", "platforms",
    "p10", "p25", "p50", "p75", "p90", "rest_independent", "rest_observations",
)  # fmt: skip
"""The statistics a cell stores, in the order the admin shows them."""


class CellStats(models.Model):
    """The statistics a cell publishes, shared by the current cells and their monthly history.

    ``contributors`` counts distinct contributors; ``independent`` counts only those one party cannot manufacture
    (see ``Observation.party``), and is what suppression compares with its thresholds.

    Numbers are stored raw, as computed; suppression (too few independent contributors) and the counts' bands are
    applied when they are read, by ``benchmarks.selectors``, so changing the thresholds needs no rebuild.
    ``counts_withheld`` is the one published decision stored with them: set by
    ``benchmarks.privacy.refresh_withheld_counts`` over a whole snapshot, because whether a cell's counts give a
    suppressed neighbour away depends on every cell around it.

    ``segment`` says which observations the cell counts: "" every one; "verified" only verified ones;
    "platform:<id>" one platform's reported pay (``platform`` set too). A segment cell also stores what its
    whole cell (segment "") has beyond it (``rest_*``), for the complementary rule (docs/decisions/0015-segments.md).
    ``verified`` counts the distinct contributors with a verified observation in the cell.
    """

    cell_key = models.CharField(max_length=64)
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=12, help_text=f'A skill tier, or "{ALL}" for all tiers.')
    country = models.CharField(
        max_length=2, blank=True, help_text=f'A country code, "" for worldwide postings, or "{ALL}" for all.'
    )
    kind = models.CharField(max_length=12, choices=ObservationKind.choices)
    segment = models.CharField(max_length=24, blank=True, default="")
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contributors = models.PositiveIntegerField()
    independent = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    rest_independent = models.PositiveIntegerField(
        default=0, help_text="The whole cell's independent contributors less this segment's (0 for the whole cell)."
    )
    rest_observations = models.PositiveIntegerField(
        default=0, help_text="The whole cell's observations less this segment's (0 for the whole cell)."
    )
    observations = models.PositiveIntegerField()
    sources = models.PositiveIntegerField()
    platforms = models.PositiveIntegerField()
    p10 = models.FloatField(null=True, blank=True)
    p25 = models.FloatField(null=True, blank=True)
    p50 = models.FloatField(null=True, blank=True)
    p75 = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)
    counts_withheld = models.BooleanField(
        default=False,
        help_text="Publish no contributor or observation counts: their bands would pin down a suppressed cell's.",
    )

    class Meta:
        abstract = True


class BenchmarkCell(CellStats):
    """One current cell: (domain | all) × (tier | all) × (country | all) × kind, for every combination with data.

    Written only by ``benchmarks.engine``: a rebuild replaces them all in one transaction, a recompute upserts the
    ancestors of dirty leaves. Read only through ``benchmarks.selectors``.
    """

    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cell_key"], name="benchmarkcell_unique_key"),
            models.CheckConstraint(condition=Q(kind__in=ObservationKind.values), name="benchmarkcell_kind_valid"),
            models.CheckConstraint(condition=Q(tier__in=[*SkillTier.values, ALL]), name="benchmarkcell_tier_valid"),
            models.CheckConstraint(
                condition=Q(contributors__lte=models.F("observations")), name="benchmarkcell_contributors_le_obs"
            ),
            models.CheckConstraint(
                condition=Q(independent__lte=models.F("contributors")), name="benchmarkcell_independent_le_contributors"
            ),
            models.CheckConstraint(
                condition=Q(verified__lte=models.F("contributors")), name="benchmarkcell_verified_le_contributors"
            ),
            models.CheckConstraint(
                condition=Q(platform__isnull=True) | Q(segment__startswith=PLATFORM_PREFIX),
                name="benchmarkcell_platform_only_in_its_segment",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "tier", "country"], name="cell_kind_tier_country"),
            models.Index(fields=["platform", "domain", "tier"], name="cell_platform"),
            # "Last updated" on every page, and the version the API falls back to: max(computed_at) from the index.
            models.Index(fields=["computed_at"], name="cell_computed_at"),
        ]
        permissions = [("rebuild_benchmarks", "Can trigger a rebuild of every benchmark cell")]

    def __str__(self) -> str:
        return self.cell_key


class CellHistory(CellStats):
    """A cell's statistics as they stood when the month's history point was recorded (one row per cell and month)."""

    month = models.DateField(help_text="First day of the month the point is for.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["cell_key", "month"]
        verbose_name_plural = "cell history"
        constraints = [
            models.UniqueConstraint(fields=["cell_key", "month"], name="cellhistory_one_per_month"),
            models.CheckConstraint(condition=Q(kind__in=ObservationKind.values), name="cellhistory_kind_valid"),
        ]
        indexes = [models.Index(fields=["month"], name="cellhistory_month")]

    def __str__(self) -> str:
        return f"{self.cell_key} @ {self.month:%Y-%m}"


class OutlierFence(models.Model):
    """Quartiles of log(hourly_usd) of reported pay in one (domain, tier), kept by the engine with the cells.

    Computed from every reported observation in the window, flagged ones included (quartiles are robust to the
    outliers themselves), so the fences, and the screening they drive, depend on the data alone.

    Survey services ask for fences on every submission; reading one row keeps a 100,000-row import fast where
    recomputing quartiles each time would not. The fence width (k) is applied when read, from settings.
    """

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=12, choices=SkillTier.choices)
    observations = models.PositiveIntegerField()
    q1_log = models.FloatField()
    q3_log = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "tier"], name="outlierfence_one_per_domain_tier"),
            models.CheckConstraint(condition=Q(q1_log__lte=models.F("q3_log")), name="outlierfence_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id}/{self.tier}: n={self.observations}"


from .state_models import (  # noqa: E402, F401 (the count state's models, kept in a module of their own)
    CellBucket,
    CellCount,
    CellValue,
    CountState,
    LeafMember,
    ObservationDelta,
    PendingParty,
)
