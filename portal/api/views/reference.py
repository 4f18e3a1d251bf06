"""Reference lists: domains, platforms, currencies, tiers and units."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.choices import PayUnit, SkillTier
from benchmarks.models import Currency, Domain, Platform

from .. import serializers as s
from ..pagination import PortalCursorPagination
from .common import PUBLIC, _errors


def _ordered(field: str) -> type:
    return type(f"CursorBy{field.title()}", (PortalCursorPagination,), {"ordering": field})


class _ReferenceList(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    filter_backends: list = []


@extend_schema_view(list=extend_schema(summary="Domains", description=f"Active domains. {PUBLIC}", responses={
    200: s.DomainSerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class DomainViewSet(_ReferenceList):
    queryset = Domain.objects.active()
    serializer_class = s.DomainSerializer
    pagination_class = _ordered("slug")


@extend_schema_view(list=extend_schema(summary="Platforms", description=f"Platforms with their aliases. {PUBLIC}",
    responses={200: s.PlatformSerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class PlatformViewSet(_ReferenceList):
    queryset = Platform.objects.active().prefetch_related("aliases")
    serializer_class = s.PlatformSerializer
    pagination_class = _ordered("slug")


@extend_schema_view(list=extend_schema(summary="Currencies", description=f"Currencies the portal converts. {PUBLIC}",
    responses={200: s.CurrencySerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class CurrencyViewSet(_ReferenceList):
    queryset = Currency.objects.filter(active=True)
    serializer_class = s.CurrencySerializer
    pagination_class = _ordered("code")


class _ChoiceList(APIView):
    """A fixed vocabulary, whole, in the same envelope as every list (it never has a next page)."""

    permission_classes = [AllowAny]
    choices: type = SkillTier

    def get(self, request):
        results = [{"value": value, "label": str(label)} for value, label in self.choices.choices]
        return Response({"next": None, "previous": None, "results": results})


class ChoicePageSerializer(s._PageSerializer):
    results = s.ChoiceSerializer(many=True)


class TierList(_ChoiceList):
    choices = SkillTier

    @extend_schema(summary="Skill tiers", description=f"The fixed, ordered skill tiers. {PUBLIC}",
        responses={200: ChoicePageSerializer, **_errors(429)})  # fmt: skip
    def get(self, request):
        return super().get(request)


class UnitList(_ChoiceList):
    choices = PayUnit

    @extend_schema(summary="Pay units", description=f"The units pay can be given in. {PUBLIC}",
        responses={200: ChoicePageSerializer, **_errors(429)})  # fmt: skip
    def get(self, request):
        return super().get(request)
