from types import SimpleNamespace

from django import forms
from django.test import RequestFactory

from benchmarks.pages import labelled, page_of


class RateForm(forms.Form):
    rate_min = forms.DecimalField(label="Band minimum")


def test_labelled_names_each_error_after_its_form_field():
    preview = labelled(SimpleNamespace(errors={"rate_min": "Enter a number.", "other": "Wrong."}), RateForm)
    assert preview.error_items == [("rate_min", "Band minimum: Enter a number."), ("other", "other: Wrong.")]


def test_labelled_leaves_no_preview_alone():
    assert labelled(None, RateForm) is None


def test_page_of_reads_the_page_asked_for_and_falls_back_on_nonsense():
    items = list(range(45))
    assert list(page_of(RequestFactory().get("/", {"page": "2"}), items, 20)) == list(range(20, 40))
    assert page_of(RequestFactory().get("/", {"page": "x"}), items, 20).number == 1
    assert page_of(RequestFactory().get("/", {"page": "99"}), items, 20).number == 3
