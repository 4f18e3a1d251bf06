"""factory_boy factories shared by every app's tests, one per status where the status matters."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from benchmarks.choices import PayUnit, SkillTier
from benchmarks.models import Currency, Domain, Platform
from postings.choices import PostingStatus
from postings.models import Company, JobPosting, Membership
from trainers.models import TrainerProfile


def domain(slug: str = "generalist") -> Domain:
    return Domain.objects.get(slug=slug)


def platform(slug: str = "outlier") -> Platform:
    return Platform.objects.get(slug=slug)


def usd() -> Currency:
    return Currency.objects.get(code="USD")


def this_month() -> datetime.date:
    return timezone.now().date().replace(day=1)


class NewUserFactory(factory.django.DjangoModelFactory):
    """An account that has just signed up and not verified its email: a trainer's surveys count for no threshold."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class UserFactory(NewUserFactory):
    """An established account: its email verified, a month old, so a trainer's surveys count toward thresholds."""

    date_joined = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class TrainerFactory(factory.django.DjangoModelFactory):
    """A trainer with an established account (see ``NewTrainerFactory`` for one that does not count yet)."""

    class Meta:
        model = TrainerProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Trainer {n}")
    tier = SkillTier.SKILLED
    country = "US"


class NewTrainerFactory(TrainerFactory):
    """A trainer who has just signed up and not verified an email: counted toward no suppression threshold."""

    user = factory.SubFactory(NewUserFactory)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create:
            user = extracted or UserFactory()
            Membership.objects.create(company=self, user=user, role="owner")


def survey_fields(**overrides) -> dict:
    """Answers for ``survey_submit``: $20 an hour for generalist work on Outlier this month, unless overridden."""
    fields = {
        "period": this_month(),
        "platform": platform(),
        "domain": domain(),
        "tier": SkillTier.SKILLED,
        "country": "US",
        "task_type": "ranking",
        "engagement": "freelance",
        "amount": Decimal("20"),
        "currency": usd(),
        "unit": PayUnit.HOUR,
    }
    fields.update(overrides)
    return fields


def survey_form_data(**overrides) -> dict:
    """What the survey form posts: $25 an hour for skilled generalist ranking on Outlier this month, unless
    overridden."""
    data = {
        "period": this_month().strftime("%Y-%m"),
        "platform": platform().pk,
        "domain": domain().pk,
        "tier": "skilled",
        "country": "US",
        "task_type": "ranking",
        "engagement": "freelance",
        "amount": "25",
        "currency": "USD",
        "unit": "hour",
    }
    data.update(overrides)
    return data


def posting_fields(**overrides) -> dict:
    """Fields for ``posting_create``: a $40–60 an hour expert medicine posting in the US, unless overridden."""
    fields = {
        "title": "Clinical reviewer for model answers",
        "description": "Review and rank medical answers.",
        "domain": domain("medicine"),
        "tier": SkillTier.EXPERT,
        "country": "US",
        "engagement": "part_time",
        "rate_min": Decimal("40"),
        "rate_max": Decimal("60"),
        "currency": usd(),
        "unit": PayUnit.HOUR,
    }
    fields.update(overrides)
    return fields


class DraftPostingFactory(factory.django.DjangoModelFactory):
    """A draft saved directly, for tests that start from a given status; services are tested through services."""

    class Meta:
        model = JobPosting

    company = factory.SubFactory(CompanyFactory)
    title = "Clinical reviewer"
    description = "Review medical answers."
    domain = factory.LazyFunction(lambda: domain("medicine"))
    tier = SkillTier.EXPERT
    country = "US"
    rate_min = Decimal("40")
    rate_max = Decimal("60")
    currency = factory.LazyFunction(usd)
    unit = PayUnit.HOUR
    rate_min_usd = Decimal("40")
    rate_max_usd = Decimal("60")
    status = PostingStatus.DRAFT


class InReviewPostingFactory(DraftPostingFactory):
    status = PostingStatus.IN_REVIEW
    submitted_at = factory.LazyFunction(timezone.now)


class PublishedPostingFactory(InReviewPostingFactory):
    """A posting an admin approved through ``posting_approve``, so it has its advertised observation."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def publish(self, create, extracted, **kwargs):
        if create:
            from postings.services import posting_approve

            posting_approve(posting=self, by=None)
            self.refresh_from_db()
