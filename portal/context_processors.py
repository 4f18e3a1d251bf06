from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .currency import display_currencies, display_currency


def site(request):
    """Values every template may use."""
    return {
        "SITE_NAME": "Trainer Pay Portal",
        "MIN_CONTRIBUTORS": settings.BENCHMARK_MIN_CONTRIBUTORS,
        "MIN_CONTRIBUTORS_TAILS": settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS,
        # Read only by the pages that show them (no query for a visitor who never chose a currency).
        "display_currency": SimpleLazyObject(lambda: display_currency(request)),
        "display_currencies": SimpleLazyObject(lambda: display_currencies(request)),
    }
