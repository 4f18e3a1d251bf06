"""Forms of the trainer workspace. They validate and render; ``trainers.services`` makes the changes."""

import datetime

from django import forms
from django.utils import timezone

from benchmarks.forms import ServiceErrorFormMixin, number_field_classes
from benchmarks.models import Currency, Domain, Platform

from .models import PaySurvey, TrainerProfile
from .services import SURVEY_FIELDS

PROFILE_FIELDS = ("display_name", "headline", "domains", "tier", "credentials", "languages", "country")


class ProfileForm(ServiceErrorFormMixin, forms.ModelForm):
    class Meta:
        model = TrainerProfile
        fields = list(PROFILE_FIELDS)
        widgets = {"domains": forms.CheckboxSelectMultiple}
        labels = {"display_name": "Name shown to companies", "tier": "Skill tier", "domains": "Domains you work in"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = Domain.objects.active()

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROFILE_FIELDS}


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (or picked), stored as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if isinstance(value, datetime.date) else value


class SurveyForm(ServiceErrorFormMixin, forms.ModelForm):
    """The pay survey: what one platform paid for one month. Normalised and screened by ``survey_submit``."""

    period = MonthField(label="Month of pay", help_text="The month this pay is for, e.g. 2026-10.")
    replace = forms.BooleanField(
        required=False, label="Replace my earlier survey for this platform, domain and month with this one"
    )

    class Meta:
        model = PaySurvey
        fields = list(SURVEY_FIELDS)
        field_classes = number_field_classes(PaySurvey, SURVEY_FIELDS)
        labels = {
            "tier": "Skill tier",
            "unit": "Paid",
            "task_type": "Kind of work",
            "hours_per_week": "Paid hours a week",
            "unpaid_hours_per_week": "Unpaid hours a week",
            "minutes_per_task": "Minutes per task",
            "project_hours": "Project's total hours",
        }
        help_texts = {
            "hours_per_week": "Used for day, week, month and year pay (default 40).",
            "minutes_per_task": "Needed when you are paid per task.",
            "project_hours": "Needed when you are paid per project.",
            "unpaid_hours_per_week": "Onboarding, unpaid review, time over caps. Gives your effective rate.",
        }
        widgets = {
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "hours_per_week": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
            "minutes_per_task": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
            "project_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
            "unpaid_hours_per_week": forms.NumberInput(attrs={"step": "0.5", "min": "0"}),
        }

    def __init__(self, *args, profile: TrainerProfile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.active()
        self.fields["domain"].queryset = Domain.objects.active()
        self.fields["currency"].queryset = Currency.objects.filter(active=True)
        if self.instance.pk is None:
            self.fields["period"].initial = timezone.now().date().replace(day=1)
            self.fields["currency"].initial = "USD"
            if profile is not None:
                self.fields["tier"].initial = profile.tier
                self.fields["country"].initial = profile.country
                first_domain = next(iter(profile.domains.all()), None)
                if first_domain is not None:
                    self.fields["domain"].initial = first_domain.pk

    def _post_clean(self):
        # The service validates the whole survey (normalisation, range, constraints) and words its refusals for
        # people; the model's own clean would only repeat it in database terms, before hourly_usd even exists.
        pass

    def filing(self) -> dict | None:
        """The (platform, domain, period) the form's data names, or None until all three are valid."""
        values = {}
        for name in ("platform", "domain", "period"):
            try:
                values[name] = self.fields[name].clean(self[name].data)
            except forms.ValidationError:
                return None
        return values

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in SURVEY_FIELDS}


class DocumentForm(ServiceErrorFormMixin, forms.Form):
    """A payout statement for one survey. What it must be is checked by ``verification_document_upload``."""

    file = forms.FileField(
        label="Payout statement or invoice",
        required=False,  # the service refuses a missing or empty file, worded as it words every refusal
        allow_empty_file=True,
        help_text="A PDF, PNG or JPEG of at most 5 MB that shows this platform's pay for this month.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"}),
    )
