"""The default vocabulary the portal starts with: domains, currencies with exchange rates, and platforms.

Exchange rates are a documented default table (approximate USD value of one unit, as of 2025-01-01), kept current
by admins in the Django admin: a new row with a later ``valid_from`` takes over from that date.
"""

import datetime
from decimal import Decimal

DOMAINS = [
    ("generalist", "Generalist", "Everyday writing, ranking and annotation without a specialist credential."),
    ("medicine", "Medicine", "Clinical and biomedical knowledge: physicians, nurses, pharmacists."),
    ("law", "Law", "Legal reasoning and drafting: lawyers, paralegals, legal scholars."),
    ("engineering", "Engineering", "Mechanical, electrical, civil and chemical engineering."),
    ("software", "Software", "Programming, code review and software design."),
    ("mathematics", "Mathematics", "Proofs, competition problems and quantitative reasoning."),
    ("finance", "Finance", "Accounting, investment and financial analysis."),
    ("sciences", "Sciences", "Physics, chemistry, biology and earth sciences."),
    ("writing", "Writing", "Creative and professional writing, editing."),
    ("languages", "Languages", "Translation and non-English language work."),
]

RATES_VALID_FROM = datetime.date(2020, 1, 1)
CURRENCIES = [
    ("USD", "US dollar", Decimal("1")),
    ("EUR", "Euro", Decimal("1.08")),
    ("GBP", "Pound sterling", Decimal("1.27")),
    ("CAD", "Canadian dollar", Decimal("0.73")),
    ("AUD", "Australian dollar", Decimal("0.66")),
    ("INR", "Indian rupee", Decimal("0.012")),
    ("PHP", "Philippine peso", Decimal("0.0175")),
    ("KES", "Kenyan shilling", Decimal("0.0077")),
    ("NGN", "Nigerian naira", Decimal("0.00065")),
    ("BRL", "Brazilian real", Decimal("0.18")),
    ("MXN", "Mexican peso", Decimal("0.055")),
    ("PLN", "Polish zloty", Decimal("0.25")),
    ("JPY", "Japanese yen", Decimal("0.0067")),
    ("ZAR", "South African rand", Decimal("0.054")),
]

PLATFORMS = [
    ("outlier", "Outlier", "https://outlier.ai", ["outlier.ai", "outlier ai", "scale outlier"]),
    ("mercor", "Mercor", "https://mercor.com", ["mercor.com"]),
    (
        "dataannotation",
        "DataAnnotation",
        "https://www.dataannotation.tech",
        ["data annotation", "dataannotation.tech", "da"],
    ),
    ("remotasks", "Remotasks", "https://www.remotasks.com", ["remotasks.com"]),
    ("alignerr", "Alignerr", "https://www.alignerr.com", ["alignerr.com", "labelbox alignerr"]),
    ("appen", "Appen", "https://appen.com", ["appen.com"]),
    ("telus", "TELUS Digital", "https://www.telusdigital.com", ["telus international", "telus ai"]),
    ("invisible", "Invisible Technologies", "https://invisibletech.ai", ["invisible", "invisibletech"]),
    ("surge", "Surge AI", "https://www.surgehq.ai", ["surgehq", "surge"]),
    ("turing", "Turing", "https://www.turing.com", ["turing.com"]),
    ("prolific", "Prolific", "https://www.prolific.com", ["prolific.co"]),
    ("toloka", "Toloka", "https://toloka.ai", ["toloka.ai"]),
    ("direct", "Direct employer", "", ["in-house", "direct contract"]),
    ("other", "Other platform", "", []),
]


def install(apps) -> None:
    """Create the default rows that are missing; rows admins already have are left as they are."""
    from .models import normalise_alias

    Domain = apps.get_model("benchmarks", "Domain")
    Currency = apps.get_model("benchmarks", "Currency")
    ExchangeRate = apps.get_model("benchmarks", "ExchangeRate")
    Platform = apps.get_model("benchmarks", "Platform")
    PlatformAlias = apps.get_model("benchmarks", "PlatformAlias")
    for position, (slug, name, description) in enumerate(DOMAINS):
        Domain.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for code, name, usd in CURRENCIES:
        currency, _ = Currency.objects.get_or_create(code=code, defaults={"name": name})
        ExchangeRate.objects.get_or_create(
            currency=currency,
            valid_from=RATES_VALID_FROM,
            defaults={"usd_per_unit": usd, "note": "Default table (approximate, 2025)"},
        )
    for slug, name, website, aliases in PLATFORMS:
        platform, _ = Platform.objects.get_or_create(slug=slug, defaults={"name": name, "website": website})
        for alias in aliases:
            PlatformAlias.objects.get_or_create(alias=normalise_alias(alias), defaults={"platform": platform})
