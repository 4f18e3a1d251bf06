"""The saved-search form: the job board's own filter fields (validated by its FilterSet, in the service), and how
often to email."""

from django import forms

from benchmarks.forms import ServiceErrorFormMixin

from .choices import Frequency


class SavedSearchForm(ServiceErrorFormMixin, forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, required=False, help_text="Optional; the filter in words if left empty."
    )
    frequency = forms.ChoiceField(
        label="Email me", choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect
    )
