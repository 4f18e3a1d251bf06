"""Pages of the trainer workspace: profile, pay surveys and how their pay compares.

A trainer's applications and data-rights pages span trainers and postings; they are in ``portal.workspace``.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from benchmarks.errors import ServiceError
from benchmarks.pages import labelled, page_of

from . import selectors, services, verification
from .choices import SurveyStatus
from .forms import DocumentForm, ProfileForm, SurveyForm
from .models import PaySurvey, VerificationDocument

SURVEYS_PAGE_SIZE = 25
DOCUMENT_OUTDATED = (
    "Its pay changed, so its document no longer verifies it: upload a new one to have it verified again."
)
REVIEW_PERMISSION = "trainers.review_verificationdocument"
# A document is shown as itself and nothing else: no scripts, no requests, no framing, no forms.
DOCUMENT_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def trainer_required(view):
    """Log-in required, and a trainer profile: without one, the person is sent to create it."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = selectors.profile_for_user(user=request.user)
        if profile is None:
            messages.info(request, "Create your trainer profile first; it takes a minute.")
            return redirect("trainers:profile")
        return view(request, profile, *args, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    existing = selectors.profile_for_user(user=request.user)
    form = ProfileForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if existing is None:
                services.trainer_profile_create(user=request.user, **fields)
            else:
                services.trainer_profile_update(profile=existing, **fields)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Your profile is saved." if existing else "Your trainer profile is created.")
            return redirect("trainers:surveys")
    return render(request, "trainers/profile.html", {"form": form, "creating": existing is None})


@trainer_required
def surveys(request, profile):
    # Each row shows its verification: the latest document's status.
    surveys = selectors.surveys_for_trainer(profile=profile).prefetch_related("documents")
    page = page_of(request, surveys, SURVEYS_PAGE_SIZE)
    return render(request, "trainers/surveys.html", {"profile": profile, "page": page})


def _survey_form_page(request, profile, survey: PaySurvey | None):
    form = SurveyForm(request.POST or None, instance=survey, profile=profile)
    earlier = None
    if survey is None and request.method == "POST" and (filing := form.filing()):
        earlier = selectors.survey_filed(profile=profile, **filing)
    if earlier is not None and form.is_valid() and not form.cleaned_data["replace"]:
        form.add_error("replace", "Tick this to replace your earlier survey, or update that one instead.")
    if request.method == "POST" and form.is_valid():
        try:
            if survey is None:
                outcome = services.survey_submit(trainer=profile, **form.service_fields())
                saved, created = outcome.survey, outcome.created
            else:
                saved, created = services.survey_update(survey=survey, **form.service_fields()), False
        except ServiceError as error:
            if getattr(error, "code", None) == "transition":  # a field error carries no code
                messages.error(request, error.text)
                return redirect("trainers:surveys")
            form.add_service_error(error)
        else:
            _announce(request, saved, created=created, editing=survey is not None)
            if survey is not None and survey.is_document_verified and not saved.is_document_verified:
                messages.warning(request, DOCUMENT_OUTDATED)
            return redirect("trainers:surveys")
    preview = selectors.pay_preview(form.data) if request.method == "POST" else None
    if survey is not None and request.method != "POST":
        preview = selectors.pay_preview(_survey_as_data(survey))
    context = {
        "form": form, "survey": survey, "preview": labelled(preview, SurveyForm), "profile": profile,
        "earlier": earlier,
    }  # fmt: skip
    return render(request, "trainers/survey_form.html", context)


@trainer_required
def survey_filed(request, profile):
    """(htmx) Whether the platform, domain and month chosen so far already have a survey: filing would replace it."""
    filing = SurveyForm(request.GET, profile=profile).filing()
    earlier = selectors.survey_filed(profile=profile, **filing) if filing else None
    return render(request, "trainers/_survey_filed.html", {"earlier": earlier, "form": None})


@trainer_required
def survey_versions(request, profile, pk: int):
    survey = _own_survey(profile, pk)
    versions = selectors.survey_versions(survey=survey)
    return render(request, "trainers/survey_versions.html", {"survey": survey, "versions": versions})


def _announce(request, survey: PaySurvey, *, created: bool, editing: bool) -> None:
    what = f"{survey.platform} · {survey.domain} · {survey.period:%B %Y}"
    if survey.status == SurveyStatus.FLAGGED:
        messages.warning(request, f"Survey saved ({what}) but flagged for review: {survey.status_reason}")
    elif created:
        messages.success(request, f"Thank you: your survey ({what}) is in the benchmarks.")
    else:
        verb = "updated" if editing else "updated (you had already filed this platform, domain and month)"
        messages.success(request, f"Your survey ({what}) was {verb}.")


def _survey_as_data(survey: PaySurvey) -> dict:
    fields = ("amount", "unit", "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week", "tier")
    data = {name: getattr(survey, name) for name in fields}
    return data | {"currency": survey.currency_id, "domain": survey.domain_id, "country": str(survey.country)}


@trainer_required
@require_http_methods(["GET", "POST"])
def survey_create(request, profile):
    return _survey_form_page(request, profile, None)


def _own_survey(profile, pk: int) -> PaySurvey:
    try:
        return selectors.survey_for_trainer(profile=profile, pk=pk)
    except PaySurvey.DoesNotExist:
        raise Http404("No such survey.") from None


@trainer_required
@require_http_methods(["GET", "POST"])
def survey_edit(request, profile, pk: int):
    survey = _own_survey(profile, pk)
    if not survey.is_editable:
        messages.error(request, f"A {survey.get_status_display().lower()} survey cannot be edited.")
        return redirect("trainers:surveys")
    return _survey_form_page(request, profile, survey)


@trainer_required
@require_POST
def survey_withdraw(request, profile, pk: int):
    survey = _own_survey(profile, pk)
    try:
        services.survey_withdraw(survey=survey)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, "Survey withdrawn: it no longer counts in the benchmarks.")
    return redirect("trainers:surveys")


@login_required
@require_http_methods(["GET", "POST"])
def survey_preview(request):
    """The live preview of the survey form (htmx): normalised and effective USD an hour, or per-field errors."""
    data = request.POST if request.method == "POST" else request.GET
    return render(
        request, "trainers/_survey_preview.html", {"preview": labelled(selectors.pay_preview(data), SurveyForm)}
    )


@trainer_required
def compare(request, profile):
    comparisons = selectors.survey_comparisons(profile=profile)
    context = {
        "profile": profile,
        "comparisons": comparisons,
        "trends": selectors.pay_trends(comparisons=comparisons),
    }
    return render(request, "trainers/compare.html", context)


@trainer_required
@require_http_methods(["GET", "POST"])
def survey_document(request, profile, pk: int):
    """Where a trainer uploads a payout statement to have one of their surveys verified, and sees how it went."""
    survey = _own_survey(profile, pk)
    form = DocumentForm(request.POST, request.FILES) if request.method == "POST" else DocumentForm()
    if request.method == "POST" and form.is_valid():
        try:
            verification.verification_document_upload(survey=survey, upload=form.cleaned_data["file"])
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Your document is uploaded: staff will review it, then delete it.")
            return redirect("trainers:surveys")
    return render(request, "trainers/survey_document.html", {"survey": survey, "form": form})


def document_file(request, pk: int):
    """(staff) A verification document's file, shown inline as itself; anyone without the permission gets a 404."""
    user = request.user
    if not (user.is_staff and user.has_perm(REVIEW_PERMISSION)):
        raise Http404("No such document.")
    document = VerificationDocument.objects.exclude(file="").filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type, filename=f"document-{pk}.{document.extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["Cache-Control"] = "private, no-store"
    return response
