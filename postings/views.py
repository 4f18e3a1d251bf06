"""Pages of the job board and the company workspace. Views validate and render; services change things."""

import markdown
import nh3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from benchmarks.errors import ServiceError
from benchmarks.pages import labelled, page_of
from trainers.models import TrainerProfile

from . import invitations, selectors, services
from .choices import ApplicationStatus, DescriptionFormat, MembershipRole, PostingStatus
from .forms import ApplicationForm, InvitationForm, PostingForm
from .models import Application, Company, Invitation, JobPosting
from .selectors import band_position, posting_position

BOARD_PAGE_SIZE = 20
APPLICANTS_PAGE_SIZE = 50
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4", "hr",
}  # fmt: skip


def render_description(posting: JobPosting) -> str:
    """A description as safe HTML: Markdown rendered then sanitised by nh3, or plain text left to autoescape."""
    if posting.description_format != DescriptionFormat.MARKDOWN:
        return posting.description
    html = markdown.markdown(posting.description, extensions=["sane_lists"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="nofollow noopener")
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Job board --------------------------------------------------------------------------------------------------


def board(request):
    """Published postings with the shared filters; an htmx request gets just the results fragment."""
    filterset, postings = selectors.board_postings(params=request.GET)
    page = page_of(request, postings, BOARD_PAGE_SIZE)
    context = {"filterset": filterset, "page": page, "query": _query_without_page(request)}
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, "postings/_board_results.html" if fragment else "postings/board.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def detail(request, pk: int):
    try:
        posting = selectors.posting_for_reader(pk=pk, user=request.user)
    except JobPosting.DoesNotExist:
        raise Http404("No such posting.") from None
    profile = _trainer_profile(request.user)
    application = None
    if profile is not None:
        application = Application.objects.filter(posting=posting, trainer=profile).first()
    context = {
        "posting": posting,
        "description_html": render_description(posting),
        "is_markdown": posting.description_format == DescriptionFormat.MARKDOWN,
        "position": posting_position(posting),
        "profile": profile,
        "application": application,
        "form": ApplicationForm(),
        "can_apply": posting.status == PostingStatus.PUBLISHED and not posting.apply_url,
    }
    return render(request, "postings/detail.html", context)


def _trainer_profile(user) -> TrainerProfile | None:
    if not user.is_authenticated:
        return None
    return TrainerProfile.objects.filter(user=user).first()


@login_required
@require_POST
def apply(request, pk: int):
    try:
        posting = selectors.posting_for_reader(pk=pk, user=request.user)
    except JobPosting.DoesNotExist:
        raise Http404("No such posting.") from None
    profile = _trainer_profile(request.user)
    if profile is None:
        messages.error(request, "Create your trainer profile before you apply.")
        return redirect("trainers:profile")
    form = ApplicationForm(request.POST)
    if form.is_valid():
        try:
            services.application_submit(
                posting=posting, trainer=profile, cover_letter=form.cleaned_data["cover_letter"]
            )
        except ServiceError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, f"You applied to “{posting.title}”. Follow it under My applications.")
    else:
        messages.error(request, "Your application could not be sent: " + " ".join(form.errors.get("cover_letter", [])))
    return redirect("postings:detail", pk=posting.pk)


# --- Company workspace ------------------------------------------------------------------------------------------


def _company(request, slug: str) -> Company:
    try:
        return selectors.company_for_member(slug=slug, user=request.user)
    except Company.DoesNotExist:
        raise Http404("No such company.") from None


def _is_owner(company: Company, user) -> bool:
    return user.is_staff or services.membership_role(company=company, user=user) == MembershipRole.OWNER


def _posting(company: Company, pk: int) -> JobPosting:
    try:
        return selectors.company_posting(company=company, pk=pk)
    except JobPosting.DoesNotExist:
        raise Http404("No such posting.") from None


@login_required
def company_home(request):
    company = selectors.companies_for_user(user=request.user).first()
    if company is None:
        messages.info(request, "You are not a member of any company yet. Sign up as “I hire trainers” to create one.")
        return redirect("portal:dashboard")
    return redirect("postings:company_dashboard", slug=company.slug)


@login_required
def company_dashboard(request, slug: str):
    company = _company(request, slug)
    groups = selectors.company_postings_by_status(company=company)
    context = {
        "company": company,
        "groups": groups,
        "has_postings": any(postings for _, _, postings in groups),
        "companies": selectors.companies_for_user(user=request.user),
        "is_owner": _is_owner(company, request.user),
    }
    return render(request, "postings/company/dashboard.html", context)


def _posting_form_page(request, company: Company, posting: JobPosting | None):
    form = PostingForm(request.POST or None, instance=posting)
    if request.method == "POST" and form.is_valid():
        try:
            if posting is None:
                saved = services.posting_create(company=company, by=request.user, **form.service_fields())
            else:
                saved = services.posting_update(posting=posting, by=request.user, **form.service_fields())
        except ServiceError as error:
            if getattr(error, "code", None) in ("permission", "transition"):
                messages.error(request, error.text)
                return redirect("postings:company_dashboard", slug=company.slug)
            form.add_service_error(error)
        else:
            verb = "saved as a draft" if posting is None else "saved"
            messages.success(request, f"“{saved.title}” {verb}. Submit it for review when it is ready.")
            return redirect("postings:manage", slug=company.slug, pk=saved.pk)
    preview = None
    if request.method == "POST":
        preview = labelled(band_position(form.data), PostingForm)
    elif posting is not None:
        preview = labelled(band_position(_posting_as_data(posting)), PostingForm)
    context = {"company": company, "form": form, "posting": posting, "preview": preview}
    return render(request, "postings/company/posting_form.html", context)


def _posting_as_data(posting: JobPosting) -> dict:
    return {
        "domain": posting.domain_id,
        "tier": posting.tier,
        "country": str(posting.country or ""),
        "rate_min": posting.rate_min,
        "rate_max": posting.rate_max,
        "currency": posting.currency_id,
        "unit": posting.unit,
        "hours_per_week": posting.hours_per_week,
        "minutes_per_task": posting.minutes_per_task,
        "project_hours": posting.project_hours,
    }


@login_required
@require_http_methods(["GET", "POST"])
def posting_create(request, slug: str):
    return _posting_form_page(request, _company(request, slug), None)


@login_required
@require_http_methods(["GET", "POST"])
def posting_edit(request, slug: str, pk: int):
    company = _company(request, slug)
    posting = _posting(company, pk)
    if posting.status not in services.EDITABLE_POSTING_STATUSES:
        messages.error(request, f"A {posting.get_status_display().lower()} posting cannot be edited.")
        return redirect("postings:manage", slug=company.slug, pk=posting.pk)
    return _posting_form_page(request, company, posting)


@login_required
@require_http_methods(["GET", "POST"])
def posting_preview(request, slug: str):
    """The live positioning preview: the band normalised to USD an hour and placed in its market cell."""
    company = _company(request, slug)
    data = request.POST if request.method == "POST" else request.GET
    preview = labelled(band_position(data), PostingForm)
    return render(request, "postings/company/_preview.html", {"company": company, "preview": preview})


@login_required
def posting_manage(request, slug: str, pk: int):
    company = _company(request, slug)
    posting = _posting(company, pk)
    context = {
        "company": company,
        "posting": posting,
        "description_html": render_description(posting),
        "is_markdown": posting.description_format == DescriptionFormat.MARKDOWN,
        "position": posting_position(posting),
        "editable": posting.status in services.EDITABLE_POSTING_STATUSES,
        "submittable": posting.status in services.SUBMITTABLE_POSTING_STATUSES,
        "closable": posting.status == PostingStatus.PUBLISHED,
        "applicant_count": posting.applications.count(),
    }
    return render(request, "postings/company/manage.html", context)


def _posting_action(request, slug: str, pk: int, action, done: str):
    company = _company(request, slug)
    posting = _posting(company, pk)
    try:
        action(posting=posting, by=request.user)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, done.format(title=posting.title))
    return redirect("postings:manage", slug=company.slug, pk=posting.pk)


@login_required
@require_POST
def posting_submit(request, slug: str, pk: int):
    return _posting_action(
        request, slug, pk, services.posting_submit, "“{title}” was sent for review. An admin will publish or return it."
    )


@login_required
@require_POST
def posting_close(request, slug: str, pk: int):
    return _posting_action(request, slug, pk, services.posting_close, "“{title}” is closed and off the job board.")


@login_required
def applicants(request, slug: str, pk: int):
    company = _company(request, slug)
    posting = _posting(company, pk)
    page = page_of(request, selectors.posting_applicants(posting=posting), APPLICANTS_PAGE_SIZE)
    context = {"company": company, "posting": posting, "page": page, "statuses": ApplicationStatus}
    return render(request, "postings/company/applicants.html", context)


APPLICATION_ACTIONS = {
    "shortlist": ("shortlisted", services.application_shortlist),
    "hire": ("hired", services.application_hire),
    "reject": ("rejected", services.application_reject),
}


@login_required
@require_POST
def application_move(request, slug: str, pk: int, action: str):
    company = _company(request, slug)
    if action not in APPLICATION_ACTIONS:
        raise Http404("No such action.")
    try:
        application = selectors.company_application(company=company, pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None
    done, move = APPLICATION_ACTIONS[action]
    try:
        move(application=application, by=request.user)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"{application.trainer} {done}.")
    return redirect("postings:applicants", slug=company.slug, pk=application.posting_id)


# --- Team -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team(request, slug: str):
    company = _company(request, slug)
    is_owner = _is_owner(company, request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied("Only the company's owner can invite teammates.")
        if form.is_valid():
            try:
                issued = invitations.invitation_create(
                    company=company, email=form.cleaned_data["email"], by=request.user
                )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                url = request.build_absolute_uri(reverse("postings:invitation", args=[issued.token]))
                invitations.invitation_send(issued=issued, accept_url=url)
                messages.success(request, f"Invitation sent to {issued.invitation.email}.")
                return redirect("postings:team", slug=company.slug)
    context = {
        "company": company,
        "members": selectors.company_members(company=company),
        "pending": invitations.pending_invitations(company=company),
        "form": form,
        "is_owner": is_owner,
    }
    return render(request, "postings/company/team.html", context)


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    company = _company(request, slug)
    invitation = Invitation.objects.filter(company=company, pk=pk, accepted_at__isnull=True).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        invitations.invitation_revoke(invitation=invitation, by=request.user)
    except ServiceError as error:
        if getattr(error, "code", None) == "permission":
            raise PermissionDenied(error.text) from error
        messages.error(request, error.text)
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("postings:team", slug=company.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    try:
        pending = invitations.invitation_for_token(token=token)
    except Invitation.DoesNotExist:
        raise Http404("This invitation link is not valid any more.") from None
    if request.method == "POST":
        try:
            invitations.invitation_accept(token=token, user=request.user)
        except ServiceError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, f"You joined {pending.company} as a recruiter.")
            return HttpResponseRedirect(reverse("postings:company_dashboard", args=[pending.company.slug]))
    email_matches = (request.user.email or "").lower() == pending.email.lower()
    return render(request, "postings/invitation.html", {"invitation": pending, "email_matches": email_matches})
