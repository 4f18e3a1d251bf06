"""Job postings: the public board, and a partner's or member's drafts and their review."""

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from postings.choices import PostingStatus
from postings.filters import JobPostingFilterSet
from postings.models import Company, JobPosting
from postings.services import posting_close, posting_create, posting_submit, posting_update

from .. import serializers as s
from ..authentication import request_partner
from ..errors import call_service
from ..pagination import PostingCursorPagination
from ..permissions import PostingsAccess
from .common import _errors

POSTINGS_AUTH = (
    "Reading is public (published postings); a partner key with a company, or a logged-in member, also sees the "
    "company's own drafts and postings under review. Writing needs a partner key with `postings:write` whose "
    "partner has a company, or a logged-in member of the company (session with CSRF token). `status`, `company` "
    "and the USD band are read-only: values sent for them are ignored."
)
COMPANY_PARAM = OpenApiParameter(
    "company",
    str,
    description="Session users in several companies: the slug of the company to post for. Ignored for partner keys.",
)


@extend_schema_view(
    list=extend_schema(summary="Job postings", description=f"The job board, with its filters. {POSTINGS_AUTH}",
        responses={200: s.PostingSerializer(many=True), **_errors(400, 401, 404, 429)}),
    retrieve=extend_schema(summary="A job posting", description=POSTINGS_AUTH,
        responses={200: s.PostingSerializer, **_errors(401, 404, 429)}),
    create=extend_schema(summary="Create a draft posting", description=POSTINGS_AUTH, parameters=[COMPANY_PARAM],
        responses={201: s.PostingSerializer, **_errors(400, 401, 403, 429)}),
    update=extend_schema(summary="Edit a draft or rejected posting", description=POSTINGS_AUTH,
        responses={200: s.PostingSerializer, **_errors(400, 401, 403, 404, 409, 429)}),
    partial_update=extend_schema(summary="Edit some fields of a draft or rejected posting",
        description=POSTINGS_AUTH, responses={200: s.PostingSerializer, **_errors(400, 401, 403, 404, 409, 429)}),
    submit=extend_schema(summary="Submit a posting for review", description=POSTINGS_AUTH, request=None,
        responses={200: s.PostingSerializer, **_errors(401, 403, 404, 409, 429)}),
    close=extend_schema(summary="Close a published posting", description=POSTINGS_AUTH, request=None,
        responses={200: s.PostingSerializer, **_errors(401, 403, 404, 409, 429)}),
)  # fmt: skip
class PostingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = s.PostingSerializer
    permission_classes = [PostingsAccess]
    pagination_class = PostingCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = JobPostingFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        postings = JobPosting.objects.select_related("company", "domain", "currency").annotate(
            board_time=Coalesce("published_at", "created_at")
        )
        partner, user = request_partner(self.request), self.request.user
        if self.action in ("list", "retrieve"):
            if partner is not None:
                own = Q(company_id=partner.company_id) if partner.company_id else Q(pk__in=[])
                public = PostingStatus.public() if self.action == "retrieve" else [PostingStatus.PUBLISHED]
                return postings.filter(Q(status__in=public) | own)
            return postings.readable_by(user) if self.action == "retrieve" else postings.visible_to(user)
        if partner is not None:
            return postings.for_company(partner.company)
        return postings.for_user(user)

    def filter_queryset(self, queryset):
        # Writes and single postings are found by id alone: the board's filters only narrow the list.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _actor(self):
        partner = request_partner(self.request)
        return partner.user if partner is not None else self.request.user

    def _company(self) -> Company:
        partner = request_partner(self.request)
        if partner is not None:
            return partner.company
        user = self.request.user
        companies = Company.objects.all() if user.is_staff else Company.objects.filter(memberships__user=user)
        slug = self.request.query_params.get("company")
        if slug:
            return get_object_or_404(companies, slug=slug)
        found = list(companies[:2])
        if not found:
            raise exceptions.PermissionDenied("You are not a member of any company.")
        if len(found) > 1:
            raise exceptions.ValidationError({"company": ["You belong to several companies; add ?company=<slug>."]})
        return found[0]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        posting = call_service(posting_create, company=self._company(), by=self._actor(), **serializer.validated_data)
        return Response(self._fresh(posting), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        posting = self.get_object()
        serializer = self.get_serializer(posting, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        posting = call_service(posting_update, posting=posting, by=self._actor(), **serializer.validated_data)
        return Response(self._fresh(posting))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        posting = call_service(posting_submit, posting=self.get_object(), by=self._actor())
        return Response(self._fresh(posting))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        posting = call_service(posting_close, posting=self.get_object(), by=self._actor())
        return Response(self._fresh(posting))

    def _fresh(self, posting: JobPosting) -> dict:
        posting = JobPosting.objects.select_related("company", "domain", "currency").get(pk=posting.pk)
        return self.get_serializer(posting).data
