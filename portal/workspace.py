"""Pages of the trainer workspace that span trainers and postings: a trainer's applications and their data rights.

They sit above both apps, so they live here; ``portal.urls`` puts them in the ``trainers`` URL namespace, under
/me/ beside the rest of the workspace.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benchmarks.errors import ServiceError
from benchmarks.pages import page_of
from postings.choices import MembershipRole
from postings.models import Application, Company
from postings.selectors import applications_for_trainer
from postings.services import application_withdraw
from trainers.views import trainer_required

from .data_rights import trainer_account_delete, trainer_data_export

APPLICATIONS_PAGE_SIZE = 25


@trainer_required
def applications(request, profile):
    page = page_of(request, applications_for_trainer(trainer=profile), APPLICATIONS_PAGE_SIZE)
    return render(request, "portal/applications.html", {"profile": profile, "page": page})


@trainer_required
@require_POST
def application_withdraw_view(request, profile, pk: int):
    try:
        application = applications_for_trainer(trainer=profile).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None
    try:
        application_withdraw(application=application, by=request.user)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"Your application to “{application.posting.title}” was withdrawn.")
    return redirect("trainers:applications")


@login_required
def my_data(request):
    """A person's data rights: download everything held about them, or erase their account."""
    return render(request, "portal/my_data.html", {"owned_companies": _owned_companies(request.user)})


def _owned_companies(user) -> list:
    return list(Company.objects.filter(memberships__user=user, memberships__role=MembershipRole.OWNER))


@login_required
def my_data_export(request):
    """All of it, as a JSON file the browser downloads."""
    data = trainer_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="trainer-pay-portal-my-data.json"'
    return response


@login_required
@require_POST
def my_data_delete(request):
    """Erase the account once the person typed their email address to confirm."""
    owned = _owned_companies(request.user)
    if owned:
        names = ", ".join(c.name for c in owned)
        messages.error(request, f"You own {names}. Ask an admin to hand the company over or close it first.")
        return redirect("trainers:my_data")
    if request.POST.get("confirm", "").strip().lower() != request.user.email.lower():
        messages.error(request, "Type your email address exactly to confirm; nothing was deleted.")
        return redirect("trainers:my_data")
    user = request.user
    logout(request)
    trainer_account_delete(user=user)
    messages.success(request, "Your account and your pay data are deleted; the benchmarks are recomputed without them.")
    return redirect("portal:home")
