"""REST resources of the surveillance programme; `register(router)` is called by certflow/core/api_urls.py.

GET  /api/v1/surveillance/programme/            the dashboard (staff spanning clients), filter state, month
GET  /api/v1/surveillance/certificates/{id}/    one certificate's windows (staff; the enterprise's own users)
POST /api/v1/surveillance/audits/               open a surveillance audit (programme managers)
Same selectors, permissions and services as the pages.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from certflow.audits.api.planning import AuditSerializer
from certflow.audits.permissions import check_planner
from certflow.audits.services.planning import surveillance_audit_create
from certflow.surveillance.domain import ObligationState
from certflow.surveillance.permissions import check_programme, get_certificate_for_user
from certflow.surveillance.selectors import (
    attach_change_reports,
    certificate_programme,
    programme_for_user,
    today,
)
from certflow.surveillance.views import parse_month


class WindowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    anniversary = serializers.DateField()
    opens = serializers.DateField()
    closes = serializers.DateField()
    recertification_counts = serializers.BooleanField()


class ObligationAuditSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    audit_type = serializers.CharField()
    status = serializers.CharField()
    held_on = serializers.DateField(allow_null=True)
    first_day = serializers.DateField(allow_null=True)


class ObligationSerializer(serializers.Serializer):
    window = WindowSerializer()
    # Not named "state": the schema's enum names are per field name, and "state" is taken (NonconformityState).
    obligation_state = serializers.ChoiceField(choices=ObligationState.choices, source="state")
    late = serializers.BooleanField(help_text="done, but the audit was held after the window closed")
    planned_late = serializers.BooleanField(help_text="planned for a day after the window closes")
    audits = ObligationAuditSerializer(many=True)


class ChangeReportBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    submitted_on = serializers.DateField()


class ProgrammeRowSerializer(serializers.Serializer):
    certificate = serializers.IntegerField(source="certificate.pk")
    number = serializers.CharField(source="certificate.number")
    enterprise = serializers.IntegerField(source="certificate.enterprise_id")
    enterprise_name = serializers.CharField(source="certificate.enterprise_name")
    certificate_status = serializers.CharField(source="certificate.status")
    issued_on = serializers.DateField(source="certificate.issued_on")
    expires_on = serializers.DateField(source="certificate.expires_on")
    obligation_state = serializers.ChoiceField(choices=ObligationState.choices, source="state")
    next = ObligationSerializer(allow_null=True, help_text="the first obligation not done; null when all are done")
    change_reports = ChangeReportBriefSerializer(many=True, help_text="open major-change reports")


class CertificateProgrammeSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    number = serializers.CharField()
    legacy = serializers.BooleanField(help_text="legacy certificates owe no surveillance (decision SV6)")
    obligations = ObligationSerializer(many=True)


class SurveillanceAuditCreateSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    window = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="default: the first window neither done nor planned"
    )
    objectives = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ProgrammeViewSet(viewsets.GenericViewSet):
    """持续监督方案: every certificate in force with its next surveillance obligation."""

    serializer_class = ProgrammeRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=ObligationState.values),
            OpenApiParameter("month", str, description="YYYY-MM: the next window is open in that month"),
        ]
    )
    def list(self, request):
        check_programme(request.user)
        state = request.query_params.get("state", "")
        if state and state not in ObligationState.values:
            raise exceptions.ValidationError({"state": f"unknown state {state!r}"})
        month_text = request.query_params.get("month", "")
        month = parse_month(month_text)
        if month_text and month is None:
            raise exceptions.ValidationError({"month": "月份格式应为 YYYY-MM / the month must be YYYY-MM"})
        programme = programme_for_user(request.user, on=today(), state=state, month=month)
        page = self.paginate_queryset(programme.rows)
        attach_change_reports(page)
        return self.get_paginated_response(ProgrammeRowSerializer(page, many=True).data)


class CertificateProgrammeViewSet(viewsets.GenericViewSet):
    """One certificate's surveillance windows and their state (staff; the enterprise's own users)."""

    serializer_class = CertificateProgrammeSerializer

    @extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    def retrieve(self, request, pk=None):
        certificate = get_certificate_for_user(request.user, pk)
        data = {
            "certificate": certificate.pk,
            "number": certificate.number,
            "legacy": certificate.is_legacy or certificate.scheme_version_id is None,
            "obligations": certificate_programme(certificate, today()),
        }
        return Response(CertificateProgrammeSerializer(data).data)


class SurveillanceAuditViewSet(viewsets.GenericViewSet):
    """Open a surveillance audit of a certificate; it is then planned with /api/v1/audits/{id}/…"""

    serializer_class = SurveillanceAuditCreateSerializer

    @extend_schema(request=SurveillanceAuditCreateSerializer, responses={201: AuditSerializer})
    def create(self, request):
        check_planner(request.user)
        data = SurveillanceAuditCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = get_certificate_for_user(request.user, data.validated_data["certificate"], plan=True)
        audit = surveillance_audit_create(
            by=request.user,
            certificate=certificate,
            window=data.validated_data.get("window"),
            objectives=data.validated_data.get("objectives", ""),
            today=today(),
        )
        audit.current_team = []
        return Response(AuditSerializer(audit).data, status=status.HTTP_201_CREATED)


def register(router) -> list:
    router.register("surveillance/programme", ProgrammeViewSet, basename="surveillance-programme")
    router.register("surveillance/certificates", CertificateProgrammeViewSet, basename="surveillance-certificate")
    router.register("surveillance/audits", SurveillanceAuditViewSet, basename="surveillance-audit")
    return []
