"""The demo's invented world: pay by domain and tier, countries, names, shares, and the demo logins."""

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from benchmarks.choices import Engagement, PayUnit, SkillTier, TaskType
from postings.choices import PostingStatus

DEMO_SOURCE_SLUG = "synthetic-demo-data"
DEMO_SOURCE_NAME = "Synthetic demo data"
DEMO_EMAIL_DOMAIN = "demo.example.com"


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    email: str
    password: str | None  # None: the user existed already and keeps its password


ADMIN_LOGIN = ("admin", "admin", "admin@example.com", "demo-admin-2025")
OWNER_LOGIN = ("company owner", "demo-owner", "owner@example.com", "demo-owner-2025")
TRAINER_LOGIN = ("trainer", "demo-trainer", "trainer@example.com", "demo-trainer-2025")

TIERS = [SkillTier.ENTRY, SkillTier.SKILLED, SkillTier.EXPERT, SkillTier.TOP_EXPERT]

# domain: (share of surveys, [(share of the domain's trainers, US median USD/h) per tier: entry .. top expert])
DOMAIN_PAY = {
    "generalist": (26, [(0.60, 14.0), (0.30, 20.0), (0.08, 32.0), (0.02, 45.0)]),
    "software": (12, [(0.10, 25.0), (0.40, 42.0), (0.38, 80.0), (0.12, 125.0)]),
    "writing": (9, [(0.35, 17.0), (0.45, 25.0), (0.18, 42.0), (0.02, 60.0)]),
    "languages": (9, [(0.35, 15.0), (0.45, 22.0), (0.18, 36.0), (0.02, 55.0)]),
    "medicine": (9, [(0.00, 40.0), (0.15, 68.0), (0.42, 110.0), (0.43, 168.0)]),
    "law": (7, [(0.00, 40.0), (0.05, 95.0), (0.45, 112.0), (0.50, 136.0)]),
    "engineering": (7, [(0.00, 40.0), (0.05, 92.0), (0.45, 106.0), (0.50, 130.0)]),
    "mathematics": (8, [(0.05, 25.0), (0.30, 38.0), (0.45, 65.0), (0.20, 115.0)]),
    "finance": (6, [(0.05, 28.0), (0.30, 42.0), (0.45, 80.0), (0.20, 120.0)]),
    "sciences": (7, [(0.05, 24.0), (0.30, 36.0), (0.45, 62.0), (0.20, 110.0)]),
}
# Postings lean to the scarce specialists companies hunt for; surveys follow DOMAIN_PAY's shares.
POSTING_DOMAIN_SHARES = {
    "generalist": 16, "software": 10, "writing": 5, "languages": 5, "medicine": 14, "law": 12, "engineering": 14,
    "mathematics": 8, "finance": 8, "sciences": 8,
}  # fmt: skip
# A share of postings is for the study's headline job, entry-level generalists in the US.
POSTING_ENTRY_GENERALIST_US = 0.12
# Licensed professionals are hired across borders at close to US rates: the country gap shrinks further.
COUNTRY_GAP = {"medicine": 0.4, "law": 0.3, "engineering": 0.3}
SPREAD = {SkillTier.ENTRY: 0.17, SkillTier.SKILLED: 0.22, SkillTier.EXPERT: 0.22, SkillTier.TOP_EXPERT: 0.22}
CREDENTIALS = {"medicine": "MD", "law": "JD", "engineering": "PE", "finance": "CFA"}

# --- drift over the 24 months of periods ---------------------------------------------------------------------
HISTORY_MONTHS = 24  # surveys and postings fall in the current month and the 23 before it
WINDOW_CENTRE = 5.5  # months ago: the middle of the current 12-month window, where DOMAIN_PAY holds
SPECIALISTS = ("medicine", "engineering", "law")
# Pay growth a year (log scale) per tier, entry .. top expert: specialists' expert pay outruns the rest, and
# entry-level generalists stay near the study's $12.50-15.50.
GROWTH = {"specialist": (0.02, 0.06, 0.15, 0.17), "other": (0.01, 0.03, 0.05, 0.06)}
# Budgets pause at the turn of the year: December and January pay less, the other months a little more (mean 1).
SEASON_DIP = {12: 0.92, 1: 0.92}
SEASON_REST = 1 + (1 - 0.92) * 2 / 10
# Advertised bands pull ahead of what trainers report, a year (log scale), from nothing in the first month.
ADVERTISED_LEAD = {"engineering": 0.14}

# country: (share, currency, entry-level pay relative to the US, languages)
COUNTRIES = {
    "US": (36, "USD", 1.00, "English"),
    "GB": (7, "GBP", 0.90, "English"),
    "CA": (6, "CAD", 0.90, "English, French"),
    "AU": (4, "AUD", 0.90, "English"),
    "DE": (5, "EUR", 0.85, "German, English"),
    "FR": (3, "EUR", 0.80, "French, English"),
    "PL": (4, "PLN", 0.60, "Polish, English"),
    "IN": (10, "INR", 0.30, "Hindi, English"),
    "PH": (7, "PHP", 0.30, "Filipino, English"),
    "KE": (5, "KES", 0.28, "Swahili, English"),
    "NG": (4, "NGN", 0.25, "Yoruba, English"),
    "BR": (5, "BRL", 0.45, "Portuguese"),
    "MX": (4, "MXN", 0.45, "Spanish"),
}

COUNTRY_SHARES = {code: spec[0] for code, spec in COUNTRIES.items()}

# unit: (share of surveys, how the hours behind one unit are drawn)
UNIT_SHARES = {
    PayUnit.HOUR: 68,
    PayUnit.TASK: 10,
    PayUnit.WEEK: 5,
    PayUnit.MONTH: 5,
    PayUnit.DAY: 6,
    PayUnit.PROJECT: 6,
}
PLATFORM_SHARES = {
    "outlier": 20, "dataannotation": 14, "mercor": 12, "remotasks": 8, "alignerr": 8, "appen": 6, "telus": 6,
    "invisible": 5, "surge": 5, "turing": 5, "prolific": 4, "toloka": 4, "direct": 2, "other": 1,
}  # fmt: skip
ENGAGEMENT_SHARES = {
    Engagement.FREELANCE: 70,
    Engagement.PART_TIME: 18,
    Engagement.FULL_TIME: 8,
    Engagement.EMPLOYEE: 4,
}

FIRST_NAMES = [
    "Ada",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Gabriel",
    "Hana",
    "Ivan",
    "Jun",
    "Kemi",
    "Luis",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Amara",
    "Bruno",
    "Chidi",
    "Diego",
    "Esther",
    "Farah",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Noor",
]
LAST_NAMES = [
    "Adeyemi",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fernandes",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mwangi",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quispe",
    "Reyes",
    "Santos",
    "Tanaka",
    "Uddin",
    "Varga",
    "Wright",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Mensah",
    "Novak",
    "Ortiz",
    "Reddy",
]
COMPANY_STEMS = [
    "Acme",
    "Northwind",
    "Helix",
    "Quanta",
    "Lumen",
    "Vector",
    "Atlas",
    "Cobalt",
    "Nimbus",
    "Orbit",
    "Pioneer",
    "Summit",
    "Tessera",
    "Verdant",
    "Zephyr",
]
COMPANY_KINDS = ["AI Labs", "Data", "Research", "Analytics", "Health AI", "Legal AI", "Robotics", "Learning"]
FEED_NAMES = [
    "RLHF Pay Tracker",
    "Gig Workers Collective",
    "Annotators United",
    "Open Wage Project",
    "Remote Work Research Group",
    "Fair Crowd Work",
    "HR Pulse",
    "CompData Partners",
    "TalentGrid",
    "PayScope",
    "Labor Lens Institute",
    "Crowd Insights",
    "Data Worker Survey",
    "Tasker Forum",
    "Freelance Index",
]
JOB_WORDS = {
    TaskType.RANKING: "RLHF rater",
    TaskType.SFT_WRITING: "SFT writer",
    TaskType.RED_TEAMING: "red-team specialist",
    TaskType.EVALUATION: "model evaluator",
    TaskType.ANNOTATION: "data annotator",
    TaskType.OTHER: "AI trainer",
}
REJECTION_REASONS = [
    "The rate band is missing the unit the pay is quoted in; say whether it is per hour or per task.",
    "The description asks applicants to pay for onboarding material; remove that requirement.",
    "The title does not say what the work is; name the task and the domain.",
]
SURVEY_REJECTION_REASONS = [
    "Duplicate of a survey filed under another account.",
    "The amount is a monthly figure entered as hourly pay.",
]
# Each posting after a company's first takes these statuses in turn, then draws from the weights below.
POSTING_STATUS_CYCLE = [
    PostingStatus.IN_REVIEW, PostingStatus.REJECTED, PostingStatus.CLOSED, PostingStatus.EXPIRED, PostingStatus.DRAFT,
]  # fmt: skip
POSTING_STATUS_SHARES = {
    PostingStatus.PUBLISHED: 60, PostingStatus.IN_REVIEW: 10, PostingStatus.DRAFT: 7, PostingStatus.CLOSED: 8,
    PostingStatus.EXPIRED: 8, PostingStatus.REJECTED: 7,
}  # fmt: skip


def pay_trend(domain: str, tier: str, months_ago: int, month: int, *, advertised: bool = False) -> float:
    """How pay in (domain, tier) in a month ``months_ago`` (calendar ``month``) compares with DOMAIN_PAY."""
    growth = GROWTH["specialist" if domain in SPECIALISTS else "other"][TIERS.index(tier)]
    trend = math.exp(growth * (WINDOW_CENTRE - months_ago) / 12) * SEASON_DIP.get(month, SEASON_REST)
    if advertised:
        trend *= math.exp(ADVERTISED_LEAD.get(domain, 0.0) * (HISTORY_MONTHS - 1 - months_ago) / 12)
    return trend


def weighted(rng: random.Random, shares: dict):
    """One key of ``shares``, drawn with its share as weight."""
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def money(value: float) -> Decimal:
    """An amount to the cent."""
    return Decimal(str(round(value, 2)))
