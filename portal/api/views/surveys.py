"""Pushing pay surveys in batches."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from trainers.ingestion import COLUMNS

from .. import serializers as s
from ..authentication import request_partner
from ..errors import call_service
from ..permissions import SurveysWrite
from ..services import surveys_push
from .common import _errors

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique string up to 255 characters. Sending the same key again returns the first answer and "
    "stores nothing twice; the same key with a different body is refused (422).",
)


class SurveyBatch(APIView):
    permission_classes = [SurveysWrite]

    @extend_schema(
        summary="Push a batch of pay surveys",
        description=(
            "Up to 1,000 rows with the columns of the CSV import (" + ", ".join(COLUMNS) + "), stored as the "
            "partner's source. Each row goes through the same checks as the survey form: normalisation limits "
            "($0.50–$2,000 an hour), outlier flagging, one survey per (source, external_id). The answer lists every "
            "row as accepted, flagged (an outlier awaiting review) or rejected with the reason. Needs a partner key "
            "with `surveys:write`."
        ),
        parameters=[IDEMPOTENCY_PARAM],
        request=s.SurveyBatchSerializer,
        responses={
            200: s.SurveyBatchResultSerializer,
            **_errors(400, 401, 403, 429),
            422: OpenApiResponse(s.ErrorSerializer, description="The Idempotency-Key was used with another body."),
        },
        examples=[
            OpenApiExample(
                "Two rows",
                request_only=True,
                value={"rows": [
                    {"period": "2025-03", "platform": "Outlier", "domain": "generalist", "skill_tier": "entry",
                     "country": "US", "currency": "USD", "amount": "15", "unit": "hour", "external_id": "r-1"},
                    {"period": "2025-03", "platform": "mercor.com", "domain": "law", "skill_tier": "expert",
                     "country": "GB", "currency": "GBP", "amount": "600", "unit": "day", "external_id": "r-2"},
                ]},
            ),
        ],
    )  # fmt: skip
    def post(self, request):
        serializer = s.SurveyBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = call_service(
            surveys_push,
            partner=request_partner(request),
            key=request.headers.get("Idempotency-Key") or "",
            body=request.data,
            rows=serializer.validated_data["rows"],
        )
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
