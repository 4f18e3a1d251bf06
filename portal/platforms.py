"""Pay by platform: the platforms with published figures, and one platform's reported pay by domain and tier.

Every figure comes from ``benchmarks.segments`` (suppression applied there), as on every other page.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from benchmarks.choices import ObservationKind
from benchmarks.models import Platform, platform_segment
from benchmarks.segments import platform_cells, platforms_published
from benchmarks.selectors import ALL
from benchmarks.trends import HISTORY_MONTHS, cell_trend


def platform_list(request):
    """Every platform with at least one published cell, with its all-domains, all-tiers figures."""
    platforms = list(platforms_published())
    rows = [(platform, next(iter(platform_cells(platform, domain=ALL, tier=ALL)), None)) for platform in platforms]
    context = {"rows": rows, "window_months": settings.BENCHMARK_WINDOW_MONTHS}
    return render(request, "portal/platforms.html", context)


def platform_detail(request, slug: str):
    """One platform: its median and p25–p75 by domain and tier, its trend, contributor bands and verified share."""
    platform = get_object_or_404(Platform, slug=slug)
    cells = platform_cells(platform)
    overall = next((cell for cell in cells if cell.domain == ALL and cell.tier == ALL), None)
    trend = cell_trend(
        kinds=(ObservationKind.REPORTED,),
        segment=platform_segment(platform.pk),
        months=HISTORY_MONTHS,
        label=f"{platform.name} · All domains · All tiers",
    )
    context = {
        "platform": platform,
        "overall": overall,
        "has_figures": any(not cell.suppressed for cell in cells),
        "by_domain": [cell for cell in cells if cell.domain != ALL and cell.tier == ALL],
        "by_tier": [cell for cell in cells if cell.domain == ALL and cell.tier != ALL],
        "by_domain_tier": [cell for cell in cells if ALL not in (cell.domain, cell.tier)],
        "trend": trend,
        "window_months": settings.BENCHMARK_WINDOW_MONTHS,
    }
    return render(request, "portal/platform.html", context)
