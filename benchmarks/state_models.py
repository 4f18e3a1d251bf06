"""The count state of the PostgreSQL engine: what keeps every cell's statistics without re-reading observations.

Written only by ``benchmarks.engine.counts``; ``ObservationDelta`` rows also by the database's triggers on
``Observation`` (migration 0010), one per changed row that is not flagged. Cells and finest leaves are packed
integers (``benchmarks.engine.packing``); values are whole cents. Why: ``docs/decisions/0018-count-state.md``.
"""

from django.db import models


class ObservationDelta(models.Model):
    """One observation entering (+1) or leaving (-1) the cells, written by the trigger in the writer's transaction,
    taken (deleted) by the next live pass."""

    sign = models.SmallIntegerField()
    domain_id = models.BigIntegerField()
    tier = models.CharField(max_length=12)
    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=12)
    period = models.DateField()
    cents = models.BigIntegerField()
    contributor = models.BigIntegerField(help_text="64-bit hash of the contributor.")
    party = models.BigIntegerField(help_text="64-bit hash of the independent party; 0 for none.")
    counts_from = models.DateTimeField(null=True)
    source_id = models.BigIntegerField()
    platform_id = models.BigIntegerField(null=True)
    verified = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.sign:+d} {self.kind} {self.domain_id}|{self.tier}|{self.country} {self.cents}¢"


class CountState(models.Model):
    """The one row saying the state exists, and the window start it holds observations from."""

    since = models.DateField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"count state since {self.since}"


class CellCount(models.Model):
    """A cell's observations and distinct counts (a cell without observations has no row)."""

    cell = models.BigIntegerField(primary_key=True)
    observations = models.IntegerField()
    contributors = models.IntegerField()
    independent = models.IntegerField()
    verified = models.IntegerField()
    sources = models.IntegerField()
    platforms = models.IntegerField()

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.observations} observations"


class CellValue(models.Model):
    """How many of a cell's observations pay this many cents an hour."""

    pk = models.CompositePrimaryKey("cell", "cents")
    cell = models.BigIntegerField()
    cents = models.BigIntegerField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.n} × {self.cents}¢"


class CellBucket(models.Model):
    """How many of a cell's observations pay this many whole dollars an hour: the first step of a percentile's walk."""

    pk = models.CompositePrimaryKey("cell", "dollars")
    cell = models.BigIntegerField()
    dollars = models.BigIntegerField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.n} × ${self.dollars}"


class LeafMember(models.Model):
    """How many observations of a finest leaf a contributor (1), counted party (2), source (3) or platform (4) has.

    A cell's distinct count moves only when one of these crosses zero, and then by whether any other finest leaf
    of the same key lies in the cell."""

    pk = models.CompositePrimaryKey("what", "member", "leaf")
    what = models.SmallIntegerField()
    member = models.BigIntegerField()
    leaf = models.BigIntegerField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.what}:{self.member} in {self.leaf}: {self.n}"


class PendingParty(models.Model):
    """Observations whose party does not count yet (``counts_from`` is ahead): promoted by the first pass after."""

    pk = models.CompositePrimaryKey("counts_from", "party", "leaf")
    counts_from = models.DateTimeField()
    party = models.BigIntegerField()
    leaf = models.BigIntegerField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"party {self.party} in {self.leaf} from {self.counts_from}: {self.n}"
