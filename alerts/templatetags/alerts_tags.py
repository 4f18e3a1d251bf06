"""``{% band_alerts company %}``: the company's open band alerts, for its dashboard (a page of the postings app,
which may not import the alerts)."""

from django import template

from ..bands import open_alerts

register = template.Library()


@register.inclusion_tag("alerts/_band_alerts.html")
def band_alerts(company):
    return {"company": company, "alerts": list(open_alerts(company=company))}
