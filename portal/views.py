"""Site-wide pages: home, dashboard, the benchmark explorer and the live report.

Every benchmark number shown here comes from ``benchmarks.selectors`` (suppression applied there) or from
``portal.report.report_figures``, which reads only those selectors.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from benchmarks import charts
from benchmarks.choices import ObservationKind
from benchmarks.errors import ServiceError
from benchmarks.segments import platform_rows
from benchmarks.selectors import VERIFIED, cell_get, cells_published
from benchmarks.trends import HISTORY_MONTHS, cell_trend
from postings.selectors import companies_for_user, latest_postings
from trainers.selectors import profile_for_user

from .currency import currency_choose, return_address
from .forms import ExplorerForm
from .report import report_csv, report_figures, report_findings


def home(request):
    """The front page; its last cards speak to who is signed in: a trainer, a company member, or neither."""
    trainer = profile_for_user(user=request.user)
    company = None
    if trainer is None and request.user.is_authenticated:
        company = companies_for_user(user=request.user).first()
    context = {
        "latest_postings": latest_postings(limit=6), "figures": report_figures(), "trainer": trainer,
        "company": company,
    }  # fmt: skip
    return render(request, "portal/home.html", context)


@login_required
def dashboard(request):
    """Send people to their workspace: admins to the admin, trainers to their surveys, companies to theirs."""
    if request.user.is_staff:
        return redirect("admin:index")
    if profile_for_user(user=request.user) is not None:
        return redirect("trainers:surveys")
    company = companies_for_user(user=request.user).first()
    if company is not None:
        return redirect("postings:company_dashboard", slug=company.slug)
    return render(request, "portal/dashboard.html")


def explorer(request):
    form = ExplorerForm(request.GET or None)
    args = form.cell_args()
    cell = cell_get(**args)
    where = {name: args[name] for name in ("domain", "tier", "country", "segment")}
    trend = cell_trend(**where, months=HISTORY_MONTHS, label=cell.label if cell else "")
    tiers = cells_published(domain=args["domain"], country=args["country"], kind=args["kind"], segment=args["segment"])
    # Platforms publish reported pay over all countries, from every observation: shown for that choice only.
    by_platform = args["kind"] == ObservationKind.REPORTED and args["segment"] == ""
    context = {
        "form": form,
        "args": args,
        "cell": cell,
        "chart": charts.percentiles(cell),
        "trend": trend,
        "tiers": tiers,
        "platforms": platform_rows(domain=args["domain"], tier=args["tier"]) if by_platform else None,
        "window_months": settings.BENCHMARK_WINDOW_MONTHS,
    }
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, "portal/_explorer_results.html" if fragment else "portal/explorer.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def report_charts(figures: dict) -> dict:
    """Chart data for the report page: per-domain ranges, and advertised against reported medians."""
    domains = figures["domain_ranges"]
    ranges = charts.ranges(
        [entry["name"] for entry in domains],
        [
            ("Reported p10–p90", [_span(entry["reported"], "p10", "p90") for entry in domains]),
            ("Reported p25–p75", [_span(entry["reported"], "p25", "p75") for entry in domains]),
        ],
    )
    rows = figures["advertised_vs_reported"]
    medians = charts.bars(
        [entry["name"] for entry in rows],
        [
            ("Reported median", [entry["reported"]["p50"] for entry in rows]),
            ("Advertised median", [entry["advertised"]["p50"] for entry in rows]),
        ],
    )
    return {"ranges": ranges, "medians": medians}


def _span(cell: dict, low: str, high: str) -> list | None:
    if cell[low] is None or cell[high] is None:
        return None
    return [cell[low], cell[high]]


def _report_segment(request) -> str:
    """ "verified" when the reader chose verified data only (``?verified=1``), else every observation's ("")."""
    return VERIFIED if request.GET.get("verified") in ("1", "true", "on") else ""


def report(request):
    segment = _report_segment(request)
    figures = report_figures(segment=segment)
    context = {
        "figures": figures,
        "charts": report_charts(figures),
        "findings": report_findings(figures),
        "history_months": settings.BENCHMARK_HISTORY_MONTHS,
        "verified_only": segment == VERIFIED,
    }
    return render(request, "portal/report.html", context)


def report_download(request):
    figures = report_figures(segment=_report_segment(request))
    response = HttpResponse(report_csv(figures), content_type="text/csv; charset=utf-8")
    filename = f"trainer-pay-report-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def currency_choose_view(request):
    """The chooser's form (no script needed): remember the currency, then go back to the page it was sent from."""
    try:
        currency_choose(session=request.session, user=request.user, code=request.POST.get("currency", ""))
    except ServiceError as error:
        messages.error(request, f"Currency: {error.text}")
    return redirect(return_address(request, request.POST.get("next")))
