"""Forms of the site-wide pages."""

from django import forms
from django_countries import countries

from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.models import Domain
from benchmarks.selectors import ALL, VERIFIED, countries_published

WORLDWIDE = "worldwide"  # the URL spelling of country "" (postings open worldwide)


class ExplorerForm(forms.Form):
    """Which benchmark cell to show. Every choice has an "all" value; an empty form shows the all-cell."""

    domain = forms.ChoiceField(label="Domain", required=False)
    tier = forms.ChoiceField(label="Skill tier", required=False, choices=[("", "All tiers"), *SkillTier.choices])
    country = forms.ChoiceField(label="Country", required=False)
    kind = forms.ChoiceField(
        label="Pay",
        required=False,
        choices=[
            (ObservationKind.REPORTED, "Reported by trainers (pay surveys)"),
            (ObservationKind.ADVERTISED, "Advertised by companies (job postings)"),
        ],
    )
    verified = forms.BooleanField(
        label="Verified data only",
        required=False,
        help_text="Only pay backed by proof: surveys with a reviewed payout statement, postings of verified companies.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        domains = Domain.objects.active().values_list("slug", "name")
        self.fields["domain"].choices = [("", "All domains"), *domains]
        # The countries with published figures come first; the rest (most of the world) follow, for a shared link.
        with_figures = set(countries_published())
        self.fields["country"].choices = [
            ("", "All countries"),
            (WORLDWIDE, "Worldwide postings (no country)"),
            ("With published figures", [(code, name) for code, name in countries if code in with_figures]),
            ("No published figures yet", [(code, name) for code, name in countries if code not in with_figures]),
        ]

    def cell_args(self) -> dict:
        """The ``benchmarks.selectors`` arguments of the chosen cell (the all-cell for anything left empty)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        country = data.get("country") or ALL
        return {
            "domain": data.get("domain") or ALL,
            "tier": data.get("tier") or ALL,
            "country": "" if country == WORLDWIDE else country,
            "kind": data.get("kind") or ObservationKind.REPORTED,
            "segment": VERIFIED if data.get("verified") else "",
        }
