"""Saved searches in the trainer workspace, the unsubscribe page, and dismissing a band alert. Views validate and
render; the services in ``alerts.searches`` and ``alerts.bands`` change things."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from benchmarks.errors import ServiceError
from postings.filters import JobPostingFilterSet
from postings.models import Company, JobPosting
from postings.selectors import company_for_member
from trainers.views import trainer_required

from . import bands
from . import searches as saved
from .forms import SavedSearchForm
from .models import BandAlert, SavedSearch


def _filter_form(data):
    """The board's filter form, bound to ``data``, with "Any …" for a filter left open."""
    form = JobPostingFilterSet(data=data, queryset=JobPosting.objects.none()).form
    form.fields["domain"].empty_label = "Any domain"
    for name, label in (("tier", "Any tier"), ("country", "Any country"), ("engagement", "Any engagement")):
        field = form.fields[name]
        field.choices = [("", label), *[choice for choice in field.choices if choice[0] != ""]]
    for name in ("domain_id", "sort"):
        form.fields.pop(name, None)
    return form


@trainer_required
def searches(request, profile):
    rows = [(search, saved.describe(search)) for search in saved.searches_for_user(user=request.user)]
    return render(request, "alerts/searches.html", {"rows": rows})


def _search_page(request, search: SavedSearch | None):
    if request.method == "POST":
        filters, form = _filter_form(request.POST), SavedSearchForm(request.POST)
        if form.is_valid():
            fields = {"params": request.POST, "frequency": form.cleaned_data["frequency"]}
            fields["name"] = form.cleaned_data["name"]
            try:
                if search is None:
                    done = saved.saved_search_create(user=request.user, **fields)
                else:
                    done = saved.saved_search_update(search=search, by=request.user, **fields)
            except ServiceError as error:
                if error.field not in filters.fields:  # a filter's refusal shows on the bound filter form itself
                    form.add_service_error(error)
                filters.is_valid()
            else:
                messages.success(request, f"Saved search “{done}” {'saved' if search is None else 'updated'}.")
                return redirect("alerts:searches")
    elif search is None:  # from the job board's "Save this search": its filters, as they were
        filters, form = _filter_form(request.GET), SavedSearchForm()
    else:
        filters = _filter_form(QueryDict(search.query))
        form = SavedSearchForm(initial={"name": search.name, "frequency": search.frequency})
    return render(request, "alerts/search_form.html", {"filters": filters, "form": form, "search": search})


@trainer_required
@require_http_methods(["GET", "POST"])
def search_create(request, profile):
    return _search_page(request, None)


def _own_search(request, pk: int) -> SavedSearch:
    try:
        return saved.searches_for_user(user=request.user).get(pk=pk)
    except SavedSearch.DoesNotExist:
        raise Http404("No such saved search.") from None


@trainer_required
@require_http_methods(["GET", "POST"])
def search_edit(request, profile, pk: int):
    return _search_page(request, _own_search(request, pk))


@trainer_required
@require_POST
def search_delete(request, profile, pk: int):
    search = _own_search(request, pk)
    saved.saved_search_delete(search=search, by=request.user)
    messages.success(request, f"Saved search “{search}” deleted; it sends no more emails.")
    return redirect("alerts:searches")


@csrf_exempt  # the signed token is the authority; mail clients' one-click POST (RFC 8058) carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks (link scanners must not unsubscribe anyone); POST, from the page or a mail client, unsubscribes."""
    if request.method == "GET":
        return render(request, "alerts/unsubscribe.html", {"token": token, "done": None})
    try:
        search = saved.saved_search_unsubscribe(token=token)
    except ServiceError as error:
        return render(request, "alerts/unsubscribe.html", {"error": error.text, "done": None}, status=400)
    return render(request, "alerts/unsubscribe.html", {"done": search})


@login_required
@require_POST
def band_alert_dismiss(request, slug: str, pk: int):
    try:
        company = company_for_member(slug=slug, user=request.user)
        alert = bands.open_alerts(company=company).get(pk=pk)
    except (Company.DoesNotExist, BandAlert.DoesNotExist):
        raise Http404("No such alert.") from None
    try:
        bands.band_alert_dismiss(alert=alert, by=request.user)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"Alert on “{alert.posting.title}” dismissed.")
    return redirect("postings:company_dashboard", slug=company.slug)
