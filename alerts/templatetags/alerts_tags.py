"""``{% band_alerts company %}``: the company's open band alerts, for its dashboard (a page of the postings app,
which may not import the alerts)."""

from django import template

from ..bands import open_alerts

register = template.Library()


@register.inclusion_tag("alerts/_band_alerts.html", takes_context=True)
def band_alerts(context, company):
    """The alerts, their figures in the page's display currency (an inclusion tag's template sees only this dict)."""
    shown = {"display_currency": context["display_currency"]} if "display_currency" in context else {}
    return {"company": company, "alerts": list(open_alerts(company=company)), **shown}
