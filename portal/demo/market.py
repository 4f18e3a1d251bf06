"""The demo's companies, their postings through the whole review cycle, and applications to them."""

import datetime

from django.utils import timezone

from benchmarks.choices import PayUnit, SkillTier, TaskType
from postings import services as postings
from postings.choices import PostingStatus
from postings.models import Company, JobPosting

from .calibration import (
    COMPANY_KINDS,
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_SHARES,
    CREDENTIALS,
    DEMO_EMAIL_DOMAIN,
    DOMAIN_PAY,
    ENGAGEMENT_SHARES,
    JOB_WORDS,
    POSTING_DOMAIN_SHARES,
    POSTING_ENTRY_GENERALIST_US,
    POSTING_STATUS_CYCLE,
    POSTING_STATUS_SHARES,
    REJECTION_REASONS,
    TIERS,
    money,
    weighted,
)


class MarketSeeding:
    """The companies-and-postings half of ``DemoSeeder`` (``self.rng``, ``self.owner``, ``self.admin``,
    ``self.report``, ``self.months``, the vocabulary lookups and the pay model come from it)."""

    def _companies(self) -> None:
        names = [f"{stem} {kind}" for kind in COMPANY_KINDS for stem in COMPANY_STEMS]
        count = min(len(names), max(2, round(self.n_postings * 0.3)))
        owners = [self.owner, *self._bulk_users("demo-owner", count - 1)]
        self.companies: list[tuple[Company, object]] = []
        for n, owner in enumerate(owners):
            company = postings.company_create(
                name=f"{names[n]} (demo)",
                owner=owner,
                website=f"https://{names[n].lower().replace(' ', '-')}.example.com",
                description="A fictional company in the portal's synthetic demo data.",
            )
            if self.rng.random() < 0.6 or n == 0:
                postings.company_verify(company=company, by=self.admin)
                self.report.counts["verified companies"] += 1
            self.companies.append((company, owner))
        self.report.counts["companies"] = len(self.companies)

    def _posting_status(self, n: int) -> str:
        if n < len(self.companies):
            return PostingStatus.PUBLISHED  # every company's first posting is on the board
        later = n - len(self.companies)
        if later < len(POSTING_STATUS_CYCLE):
            return POSTING_STATUS_CYCLE[later]
        return weighted(self.rng, POSTING_STATUS_SHARES)

    def _posting_profile(self) -> tuple[str, str, str]:
        """A posting's (domain, tier, country): specialists more often than among surveys; "" is worldwide."""
        if self.rng.random() < POSTING_ENTRY_GENERALIST_US:
            return "generalist", SkillTier.ENTRY, "US"
        domain = weighted(self.rng, POSTING_DOMAIN_SHARES)
        tiers = DOMAIN_PAY[domain][1]
        tier = TIERS[self.rng.choices(range(4), weights=[share for share, _m in tiers])[0]]
        country = weighted(self.rng, COUNTRY_SHARES) if self.rng.random() >= 0.25 else ""
        return domain, tier, country

    def _posting_time(self, status: str) -> tuple[datetime.date, datetime.datetime]:
        """(month, moment) a posting was submitted and published: any of the months for one that reached the board,
        the last few weeks for one still in draft, in review or sent back."""
        now = timezone.now()
        reached_board = status in (PostingStatus.PUBLISHED, PostingStatus.CLOSED, PostingStatus.EXPIRED)
        if not reached_board:
            moment = now - datetime.timedelta(days=self.rng.randrange(21), hours=self.rng.randrange(24))
            return moment.date().replace(day=1), moment
        month = self.rng.choice(self.months)
        moment = timezone.make_aware(datetime.datetime(month.year, month.month, 1, 9)) + datetime.timedelta(
            days=self.rng.randrange(28), hours=self.rng.randrange(10)
        )
        return month, min(moment, now)

    def _postings(self) -> None:
        for n in range(self.n_postings):
            company, owner = self.companies[n % len(self.companies)]
            status = self._posting_status(n)
            domain, tier, country = self._posting_profile()
            month, when = self._posting_time(status)
            trend = self._trend(domain, tier, month, advertised=True)
            mid = self._hourly_usd(domain, tier, country or "US") * trend
            task = self.rng.choice(TaskType.values)
            currency = COUNTRIES[country][1] if country and self.rng.random() < 0.7 else "USD"
            unit = self.rng.choice([PayUnit.HOUR] * 6 + [PayUnit.WEEK, PayUnit.TASK, PayUnit.PROJECT])
            terms = self._pay_terms(mid * 0.85, currency, unit)
            high = money(float(terms["amount"]) * 1.15 / 0.85)  # the same unit and hours: a ±15% band
            fields = {
                "title": f"{self.domains[domain].name} {JOB_WORDS[task]}" + (" (senior)" if tier in TIERS[2:] else ""),
                "description": f"Synthetic demo posting. {JOB_WORDS[task].capitalize()} work for AI models.",
                "domain": self.domains[domain],
                "tier": tier,
                "credentials": CREDENTIALS.get(domain, "") if tier == SkillTier.TOP_EXPERT else "",
                "languages": COUNTRIES[country][3] if country else "English",
                "country": country,
                "engagement": weighted(self.rng, ENGAGEMENT_SHARES),
                "rate_min": terms["amount"],
                "rate_max": high,
                "currency": terms["currency"],
                "unit": unit,
                "hours_per_week": terms["hours_per_week"],
                "minutes_per_task": terms["minutes_per_task"],
                "project_hours": terms["project_hours"],
                "apply_url": f"https://jobs.{DEMO_EMAIL_DOMAIN}/{n + 1}" if self.rng.random() < 0.4 else "",
            }
            posting = self._posting_in(status, company, owner, fields, when)
            self.report.counts[f"postings {status}"] += 1
            if posting.status == PostingStatus.PUBLISHED and not posting.apply_url:
                self._applications(posting, owner)

    def _posting_in(self, status: str, company: Company, owner, fields: dict, when: datetime.datetime) -> JobPosting:
        """Create a posting and walk it through the services to ``status``, submitted and published at ``when``.

        A posting published months ago and not closed stays on the board with its advertised observation in its
        month (the demo's history of advertised pay); the hourly expiry sweep would expire it."""
        posting = postings.posting_create(company=company, by=owner, **fields)
        if status == PostingStatus.DRAFT:
            return posting
        posting = postings.posting_submit(posting=posting, by=owner, now=when)
        if status == PostingStatus.REJECTED:
            return postings.posting_reject(posting=posting, by=self.admin, reason=self.rng.choice(REJECTION_REASONS))
        if status == PostingStatus.IN_REVIEW:
            return posting
        posting = postings.posting_approve(posting=posting, by=self.admin, now=when)
        if status == PostingStatus.CLOSED:
            closed = min(when + datetime.timedelta(days=self.rng.randrange(1, 40)), timezone.now())
            return postings.posting_close(posting=posting, by=owner, now=closed)
        if status == PostingStatus.EXPIRED:
            return postings.posting_expire(posting=posting, now=posting.expires_at + datetime.timedelta(days=1))
        return posting

    def _applications(self, posting: JobPosting, owner) -> None:
        for profile, *_ in self.rng.sample(self.trainers, min(len(self.trainers), self.rng.randrange(4))):
            application = postings.application_submit(
                posting=posting, trainer=profile, cover_letter="Demo application."
            )
            self.report.counts["applications"] += 1
            move = self.rng.choices(["", "shortlist", "hire", "reject", "withdraw"], weights=[40, 30, 10, 15, 5])[0]
            if move:
                by = profile.user if move == "withdraw" else owner
                postings.application_move(application=application, action=move, by=by)
