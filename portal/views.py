"""Site-wide pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from postings.models import JobPosting


def home(request):
    latest = JobPosting.objects.published().select_related("company", "domain", "currency")[:6]
    return render(request, "portal/home.html", {"latest_postings": latest})


@login_required
def dashboard(request):
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "portal/dashboard.html")
