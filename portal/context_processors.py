from django.conf import settings


def site(request):
    """Values every template may use."""
    return {
        "SITE_NAME": "Trainer Pay Portal",
        "MIN_CONTRIBUTORS": settings.BENCHMARK_MIN_CONTRIBUTORS,
        "MIN_CONTRIBUTORS_TAILS": settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS,
    }
