"""Create a partner (or find it by name) and issue it an API key, printed once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from benchmarks.models import Source
from portal.api.services import partner_create, partner_key_issue, partner_update
from portal.models import Partner, Scope
from postings.models import Company


class Command(BaseCommand):
    help = "Issue an API key for a partner (created if new). The key is printed once; only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner's name.")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, from: {','.join(Scope.values)}.")
        parser.add_argument("--company", help="Slug of the company whose postings the partner manages.")
        parser.add_argument("--source", help="Slug of the source the partner's survey rows count for.")

    def handle(self, *args, name: str, scopes: str, company: str | None, source: str | None, **options):
        company_obj = self._get(Company, company, "company") if company else None
        source_obj = self._get(Source, source, "source") if source else None
        try:
            partner = Partner.objects.filter(name=name.strip()).first()
            if partner is None:
                partner = partner_create(name=name, scopes=scopes, company=company_obj, source=source_obj)
            else:
                changes = {"scopes": scopes, "active": True}
                if company_obj is not None:
                    changes["company"] = company_obj
                if source_obj is not None:
                    changes["source"] = source_obj
                partner = partner_update(partner=partner, **changes)
            _, key = partner_key_issue(partner=partner)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Partner {partner.name}: scopes {partner.scopes or '(none)'}; company "
            f"{partner.company.slug if partner.company else '(none)'}; source {partner.source.slug}.\n"
            "Store this key now; it is not shown again. Send it as 'Authorization: Api-Key <key>'."
        )
        self.stdout.write(key)

    @staticmethod
    def _get(model, slug: str, what: str):
        obj = model.objects.filter(slug=slug).first()
        if obj is None:
            raise CommandError(f"No {what} with the slug {slug!r}.")
        return obj
