"""One seeding run, every row written through its service."""

import datetime
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from benchmarks.choices import PayUnit, SkillTier, SourceKind, TaskType
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, Domain, Platform, Source
from benchmarks.normalisation import RateBook, usd_rate
from benchmarks.sources import source_get_or_create, source_set_trusted, survey_form_source
from trainers import services as trainers
from trainers.choices import SurveyStatus, Verification
from trainers.models import PaySurvey, TrainerProfile

from .calibration import (
    ADMIN_LOGIN,
    COUNTRIES,
    COUNTRY_GAP,
    COUNTRY_SHARES,
    CREDENTIALS,
    DEMO_EMAIL_DOMAIN,
    DEMO_SOURCE_NAME,
    DEMO_SOURCE_SLUG,
    DOMAIN_PAY,
    ENGAGEMENT_SHARES,
    FEED_NAMES,
    FIRST_NAMES,
    HISTORY_MONTHS,
    LAST_NAMES,
    OWNER_LOGIN,
    PLATFORM_SHARES,
    SPREAD,
    SURVEY_REJECTION_REASONS,
    TIERS,
    TRAINER_LOGIN,
    UNIT_SHARES,
    Login,
    money,
    pay_trend,
    weighted,
)
from .market import MarketSeeding


@dataclass
class SeedReport:
    seed: int
    counts: Counter = field(default_factory=Counter)
    refused: int = 0
    flagged: int = 0
    cells: int = 0
    logins: list[Login] = field(default_factory=list)
    skipped: bool = False


VERIFIED_SHARE = 0.35
"""The share of the demo trainers' accepted surveys that are document-verified."""


def is_seeded() -> bool:
    return Source.objects.filter(slug=DEMO_SOURCE_SLUG).exists()


class DemoSeeder(MarketSeeding):
    """One seeding run. ``run()`` writes everything in one transaction (all or nothing) and returns a report."""

    def __init__(self, *, seed: int, surveys: int, postings: int, say: Callable[[str], None] = print):
        self.rng = random.Random(seed)
        self.n_surveys = surveys
        self.n_postings = postings
        self.say = say
        self.report = SeedReport(seed=seed)
        self.today = timezone.now().date()
        # the current month first; a month's place in the list is how many months ago it is
        self.months = [self.today.replace(day=1) - relativedelta(months=n) for n in range(HISTORY_MONTHS)]
        self.domains = {d.slug: d for d in Domain.objects.filter(slug__in=DOMAIN_PAY)}
        self.platforms = {p.slug: p for p in Platform.objects.filter(slug__in=PLATFORM_SHARES)}
        self.currencies = {c.code: c for c in Currency.objects.all()}
        self.rates = {code: float(usd_rate(code, self.today)) for code in self.currencies}
        self.rate_book = RateBook()

    # --- pay model --------------------------------------------------------------------------------------------

    def _profile(self) -> tuple[str, str, str]:
        """A (domain, tier, country) drawn from the shares."""
        domain = weighted(self.rng, {slug: share for slug, (share, _tiers) in DOMAIN_PAY.items()})
        tiers = DOMAIN_PAY[domain][1]
        tier = TIERS[self.rng.choices(range(4), weights=[share for share, _m in tiers])[0]]
        country = weighted(self.rng, COUNTRY_SHARES)
        return domain, tier, country

    def _hourly_usd(self, domain: str, tier: str, country: str) -> float:
        level = TIERS.index(tier)
        gap = (1 - 0.3 * level) * COUNTRY_GAP.get(domain, 1.0)
        median = DOMAIN_PAY[domain][1][level][1] * COUNTRIES[country][2] ** gap
        return median * math.exp(self.rng.gauss(0, SPREAD[tier]))

    def _trend(self, domain: str, tier: str, period: datetime.date, *, advertised: bool = False) -> float:
        """``pay_trend`` of a period (the first of one of ``self.months``)."""
        return pay_trend(domain, tier, self.months.index(period), period.month, advertised=advertised)

    def _pay_terms(
        self, hourly_usd: float, currency: str, unit: str | None = None, at: datetime.date | None = None
    ) -> dict:
        """Amount, unit and the hours fields that express ``hourly_usd`` in ``currency`` and a drawn unit, at the
        exchange rate of ``at`` (default today)."""
        unit = unit or weighted(self.rng, UNIT_SHARES)
        terms = {"unit": unit, "hours_per_week": None, "minutes_per_task": None, "project_hours": None}
        hours = 1.0
        if unit == PayUnit.TASK:
            terms["minutes_per_task"] = Decimal(self.rng.choice([10, 15, 20, 30, 45, 60]))
            hours = float(terms["minutes_per_task"]) / 60
        elif unit == PayUnit.DAY:
            hours = 8.0
        elif unit in (PayUnit.WEEK, PayUnit.MONTH):
            week = self.rng.choice([20, 30, 40, 40])
            terms["hours_per_week"] = Decimal(week)
            hours = week if unit == PayUnit.WEEK else week * 52 / 12
        elif unit == PayUnit.PROJECT:
            terms["project_hours"] = Decimal(self.rng.choice([5, 10, 20, 40, 80]))
            hours = float(terms["project_hours"])
        rate = self.rates[currency] if at is None else float(self.rate_book(currency, at))
        terms["amount"] = money(hourly_usd * hours / rate)
        terms["currency"] = self.currencies[currency]
        return terms

    # --- run --------------------------------------------------------------------------------------------------

    def run(self) -> SeedReport:
        with transaction.atomic():
            self.admin = self._known_user(*ADMIN_LOGIN, superuser=True)
            self.owner = self._known_user(*OWNER_LOGIN)
            self.trainer_user = self._known_user(*TRAINER_LOGIN)
            self._sources()
            self.say(f"Creating {max(3, round(self.n_surveys * 0.42))} trainers...")
            self._trainers()
            self.say(f"Filing {self.n_surveys} pay surveys through survey_submit...")
            self._surveys()
            self._outliers()
            self._out_of_range()
            self._moderate_surveys()
            self._verify_documents()
            self.say(f"Creating companies and {self.n_postings} job postings through the posting services...")
            self._companies()
            self._postings()
        return self.report

    def _known_user(self, role: str, username: str, email: str, password: str, *, superuser: bool = False):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, email=email, password=password, is_staff=superuser, is_superuser=superuser
            )
            self._verified_email(user)
            self.report.logins.append(Login(role, username, email, password))
        else:
            self.report.logins.append(Login(role, username, user.email, None))
        return user

    @staticmethod
    def _verified_email(user) -> None:
        """Let the user sign in on the site at once (allauth asks for a known address)."""
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})

    def _bulk_users(self, prefix: str, count: int) -> list:
        """Many anonymous demo users at once, with unusable passwords (no hashing: they never sign in).

        Their emails are verified and they joined before the first month of periods, so their surveys count toward
        the thresholds in every month."""
        from allauth.account.models import EmailAddress

        User = get_user_model()
        joined = timezone.now() - relativedelta(months=HISTORY_MONTHS + 1)  # before the first month of periods
        users = [
            User(
                username=f"{prefix}-{n:05d}",
                email=f"{prefix}-{n:05d}@{DEMO_EMAIL_DOMAIN}",
                password=f"{UNUSABLE_PASSWORD_PREFIX}demo",
                date_joined=joined,
            )
            for n in range(1, count + 1)
        ]
        User.objects.bulk_create(users, batch_size=1000)
        users = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("username"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
            batch_size=1000,
            ignore_conflicts=True,
        )
        return users

    def _sources(self) -> None:
        self.form_source = survey_form_source()
        marker = source_get_or_create(slug=DEMO_SOURCE_SLUG, name=DEMO_SOURCE_NAME, kind=SourceKind.IMPORT)
        feeds = [marker]
        for n in range(min(28, max(2, self.n_surveys // 100))):
            name = FEED_NAMES[n % len(FEED_NAMES)]
            kind = SourceKind.PARTNER if n < len(FEED_NAMES) else SourceKind.IMPORT
            label = "demo feed" if kind == SourceKind.PARTNER else f"demo import {n // len(FEED_NAMES) + 1}"
            feed = source_get_or_create(slug=f"demo-{kind}-{n + 1:02d}", name=f"{name} ({label})", kind=kind)
            if kind == SourceKind.PARTNER and n % 2 == 0:  # half the demo feeds are vouched for; half count as one
                feed = source_set_trusted(source=feed, trusted=True)
            feeds.append(feed)
        self.feeds = feeds
        self.report.counts["feed sources"] = len(feeds)

    def _trainers(self) -> None:
        count = max(3, round(self.n_surveys * 0.42))
        users = [self.trainer_user, *self._bulk_users("demo-trainer", count - 1)]
        self.trainers: list[tuple[TrainerProfile, str, str, str]] = []
        for n, user in enumerate(users):
            domain, tier, country = ("software", SkillTier.SKILLED, "US") if n == 0 else self._profile()
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            profile = TrainerProfile.objects.filter(user=user).first() or trainers.trainer_profile_create(
                user=user,
                display_name=f"{first} {last}" if n else "Dana Demo",
                tier=tier,
                country=country,
                credentials=CREDENTIALS.get(domain, "PhD") if tier == SkillTier.TOP_EXPERT else "",
                languages=COUNTRIES[country][3],
                domains=[self.domains[domain]],
            )
            self.trainers.append((profile, domain, tier, country))
        self.used: dict[int, set] = {profile.pk: set() for profile, *_ in self.trainers}
        self.report.counts["trainers"] = len(self.trainers)

    def _survey_fields(self, domain: str, tier: str, country: str, hourly_usd: float, **overrides) -> dict:
        """A survey's fields in a drawn month; ``hourly_usd`` is the pay of the current window, moved by the trend."""
        currency = COUNTRIES[country][1] if self.rng.random() < 0.8 else "USD"
        period = overrides.pop("period", None) or self.rng.choice(self.months)
        fields = {
            "period": period,
            "platform": self.platforms[weighted(self.rng, PLATFORM_SHARES)],
            "domain": self.domains[domain],
            "tier": tier,
            "country": country,
            "task_type": self.rng.choice(TaskType.values),
            "engagement": weighted(self.rng, ENGAGEMENT_SHARES),
            **self._pay_terms(hourly_usd * self._trend(domain, tier, period), currency, at=period),
        }
        if self.rng.random() < 0.12:  # onboarding, unpaid review: the effective rate is lower
            fields["hours_per_week"] = fields["hours_per_week"] or Decimal(self.rng.choice([10, 20, 30]))
            fields["unpaid_hours_per_week"] = Decimal(self.rng.choice([1, 2, 3, 5]))
        fields.update(overrides)
        return fields

    def _submit(self, fields: dict, **who) -> PaySurvey | None:
        try:
            survey = trainers.survey_submit(**who, **fields).survey
        except ServiceError:
            self.report.refused += 1
            return None
        self.report.counts["surveys"] += 1
        return survey

    def _trainer_survey(self, overrides: dict | None = None, pick: int | None = None) -> PaySurvey | None:
        """A survey of a trainer (the demo trainer first), in a (platform, month) that trainer has not used."""
        profile, domain, tier, country = self.trainers[
            pick if pick is not None else self.rng.randrange(len(self.trainers))
        ]
        hourly = self._hourly_usd(domain, tier, country)
        for _attempt in range(5):
            fields = self._survey_fields(domain, tier, country, hourly, **(overrides or {}))
            key = (fields["platform"].pk, fields["period"])
            if key not in self.used[profile.pk]:
                self.used[profile.pk].add(key)
                return self._submit(fields, trainer=profile, source=self.form_source)
        return None

    def _surveys(self) -> None:
        feed_rows = round(self.n_surveys * 0.15)
        self.surveys: list[PaySurvey] = []
        for n in range(self.n_surveys - feed_rows):
            survey = self._trainer_survey(pick=0 if n < 4 else None)
            if survey:
                self.surveys.append(survey)
        for n in range(feed_rows):
            domain, tier, country = self._profile()
            source = self.rng.choice(self.feeds)
            fields = self._survey_fields(domain, tier, country, self._hourly_usd(domain, tier, country))
            survey = self._submit(fields, trainer=None, source=source, external_id=f"{source.slug}-{n + 1:05d}")
            if survey:
                self.surveys.append(survey)

    def _outliers(self) -> None:
        """A few extreme but possible rates in the busiest (domain, tier) pairs: they are flagged for review."""
        busiest = Counter((domain, tier) for _p, domain, tier, _c in self.trainers).most_common(3)
        for n in range(max(2, self.n_surveys // 500)):
            domain, tier = busiest[n % len(busiest)][0]
            pick = next((i for i, t in enumerate(self.trainers) if t[1:3] == (domain, tier) and i), None)
            if pick is None:
                continue
            median = DOMAIN_PAY[domain][1][TIERS.index(tier)][1]
            hourly = min(1900.0, median * 30)  # thirty times the usual rate: far outside the fences
            survey = self._trainer_survey(
                {**self._pay_terms(hourly, "USD", PayUnit.HOUR), "period": self.months[0]}, pick
            )
            if survey and survey.status == SurveyStatus.FLAGGED:
                self.report.flagged += 1

    def _out_of_range(self) -> None:
        """Rows no service accepts (outside $0.50–$2,000 an hour): counted as refused, never stored."""
        wrong = [
            (Decimal("4500"), "USD", PayUnit.HOUR),  # $4,500 an hour
            (Decimal("0.20"), "USD", PayUnit.HOUR),  # 20 cents an hour
            (Decimal("30"), "INR", PayUnit.DAY),  # 30 rupees a day
        ]
        for n in range(max(3, self.n_surveys // 600)):
            amount, currency, unit = wrong[n % len(wrong)]
            domain, tier, country = self._profile()
            fields = self._survey_fields(domain, tier, country, 10.0)
            fields.update(
                amount=amount, currency=self.currencies[currency], unit=unit, hours_per_week=None,
                minutes_per_task=None, project_hours=None, unpaid_hours_per_week=None,
            )  # fmt: skip
            self._submit(fields, trainer=None, source=self.feeds[0], external_id=f"out-of-range-{n + 1:03d}")

    def _moderate_surveys(self) -> None:
        """Some trainers withdraw a survey and an admin rejects a few, so every survey status is on show."""
        accepted = [s for s in self.surveys if s.status == SurveyStatus.ACCEPTED and s.trainer_id]
        for survey in self.rng.sample(accepted, min(len(accepted), max(1, self.n_surveys // 200))):
            trainers.survey_withdraw(survey=survey)
            self.report.counts["withdrawn"] += 1
            accepted.remove(survey)
        for survey in self.rng.sample(accepted, min(len(accepted), max(1, self.n_surveys // 300))):
            trainers.survey_reject(survey=survey, reviewer=self.admin, reason=self.rng.choice(SURVEY_REJECTION_REASONS))
            self.report.counts["rejected surveys"] += 1

    def _verify_documents(self) -> None:
        """About a third of the trainers' accepted surveys are document-verified, as if staff had reviewed a payout
        statement (synthetic: none was uploaded), so that verified-only figures exist. Drawn from a generator of its
        own, so the rest of the demo stays what it was."""
        rng = random.Random(f"{self.report.seed}-verified")
        # Read again: moderation changed some statuses since they were filed.
        accepted = PaySurvey.objects.filter(status=SurveyStatus.ACCEPTED, trainer__isnull=False).order_by("pk")
        related = ("trainer__user", "domain", "source", "platform")
        verified = [survey for survey in accepted.select_related(*related) if rng.random() < VERIFIED_SHARE]
        for survey in verified:
            survey.verification = Verification.DOCUMENT
        PaySurvey.objects.bulk_update(verified, ["verification"])
        trainers.sync_observations(verified)
        self.report.counts["document-verified surveys"] = len(verified)


def seed_demo(*, seed: int, surveys: int, postings: int, say: Callable[[str], None] = print) -> SeedReport:
    """Seed the demo data unless the database has it already, then rebuild every benchmark cell."""
    from benchmarks import engine

    if is_seeded():
        report = SeedReport(seed=seed, skipped=True)
        report.logins = [Login(*login) for login in (ADMIN_LOGIN, OWNER_LOGIN, TRAINER_LOGIN)]
        return report
    report = DemoSeeder(seed=seed, surveys=surveys, postings=postings, say=say).run()
    say("Rebuilding every benchmark cell and its monthly history...")
    report.cells = engine.rebuild_all(progress=lambda _message: None)
    engine.backfill_history()
    report.counts["sources"] = Source.objects.count()
    return report
