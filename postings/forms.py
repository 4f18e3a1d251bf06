"""Forms of the job board and the company workspace. They validate and render; services make the changes."""

from django import forms

from benchmarks.forms import ServiceErrorFormMixin, number_field_classes
from benchmarks.models import Currency, Domain

from .models import JobPosting
from .services import POSTING_FIELDS


class PostingForm(ServiceErrorFormMixin, forms.ModelForm):
    """A posting's fields as a company fills them in; the band is normalised and checked by the service."""

    class Meta:
        model = JobPosting
        fields = list(POSTING_FIELDS)
        field_classes = number_field_classes(JobPosting, POSTING_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "rate_min": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "rate_max": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "hours_per_week": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
            "minutes_per_task": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
            "project_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
        }
        labels = {
            "tier": "Skill tier",
            "rate_min": "Band minimum",
            "rate_max": "Band maximum",
            "unit": "Paid",
            "description_format": "Description format",
            "apply_url": "Apply URL",
            "country": "Country",
        }
        help_texts = {
            "description": "Plain text, or Markdown if you choose it below. HTML is not rendered.",
            "minutes_per_task": "Needed when the band is per task.",
            "project_hours": "Needed when the band is per project.",
            "hours_per_week": "Used for day, week, month and year bands (default 40).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.active()
        self.fields["currency"].queryset = Currency.objects.filter(active=True)
        self.fields["currency"].initial = "USD"
        country = self.fields["country"]
        country.choices = [("", "Worldwide (any country)"), *[c for c in country.choices if c[0]]]

    def _post_clean(self):
        # The service validates the posting (band order, normalisation, constraints) and words its refusals for
        # people; the model's clean would repeat it in database terms ("constraint … is violated").
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in POSTING_FIELDS}


class ApplicationForm(forms.Form):
    cover_letter = forms.CharField(
        label="Why you are a good fit",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Optional. The company sees this with your profile.",
    )


class InvitationForm(ServiceErrorFormMixin, forms.Form):
    email = forms.EmailField(label="Teammate's email", help_text="They join as a recruiter once they accept.")
