"""The lifecycle API: legacy imports, the lapsed report, the complaint and appeal register, the public
complaint endpoint. Same services, selectors and permission helpers as the pages."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from certflow.accounts.models import User
from certflow.accounts.permissions import NOT_FOUND
from certflow.accounts.selectors import enterprises_for_user
from certflow.applications.models import Application
from certflow.certificates.api import CSVRenderer, XLSXRenderer
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.certificates.permissions import get_certificate_for_user
from certflow.core.rules import RuleViolation
from certflow.lifecycle import cases, changes
from certflow.lifecycle.domain import (
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ChangeAssessment,
    ChangeKind,
    ChangeStatus,
    EventKind,
    EventStatus,
)
from certflow.lifecycle.export import lapsed_export
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import ChangeReport, LegacyImport, MajorEvent
from certflow.lifecycle.permissions import (
    ONLY_REPORTERS,
    check_legacy_importer,
    check_register_reader,
    check_reporter,
    check_reports,
    get_case_for_user,
    get_change_for_user,
    get_event_for_user,
    may_report_on,
)
from certflow.lifecycle.selectors import case_list, change_list, event_list, lapsed_certificates, legacy_imports
from certflow.lifecycle.views_public import _subject

THROTTLED = "请求过于频繁，请稍后再试 / too many requests, please try again later"


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    number = serializers.CharField()
    errors = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class LegacyImportSerializer(serializers.ModelSerializer):
    errors = RowErrorSerializer(many=True)
    certificates = serializers.SerializerMethodField()

    class Meta:
        model = LegacyImport
        fields = [
            "id",
            "filename",
            "sha256",
            "outcome",
            "rows_total",
            "rows_failed",
            "lapsed",
            "errors",
            "certificates",
            "created_at",
        ]

    def get_certificates(self, job) -> list[str]:
        return [r.certificate.number for r in job.records.select_related("certificate").order_by("line")]


class LegacyUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class LegacyImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """旧版证书导入 (前言): all rows or none, with a per-row report. Read: CB staff spanning clients;
    import: committee members, programme managers, administrators."""

    serializer_class = LegacyImportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return LegacyImport.objects.none()
        check_reports(self.request.user)
        return legacy_imports()

    @extend_schema(request={"multipart/form-data": LegacyUploadSerializer}, responses={201: LegacyImportSerializer})
    def create(self, request):
        check_legacy_importer(request.user)
        data = LegacyUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = legacy_import(by=request.user, upload=data.validated_data["file"])
        code = status.HTTP_201_CREATED if job.outcome == LegacyImport.Outcome.IMPORTED else status.HTTP_400_BAD_REQUEST
        return Response(LegacyImportSerializer(job).data, status=code)

    parser_classes = [MultiPartParser]


class LapsedCertificateSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    applied_on = serializers.DateField(allow_null=True, read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "enterprise_name",
            "enterprise_uscc",
            "grade_name",
            "issued_on",
            "expires_on",
            "status",
            "status_since",
            "status_reason",
            "applied_on",
        ]


class LapsedCertificateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """过渡期失效清单: legacy certificates that lapsed at the end of the transition period."""

    serializer_class = LapsedCertificateSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Certificate.objects.none()
        check_reports(self.request.user)
        return lapsed_certificates(self.request.query_params.get("q", "").strip()[:100])

    @extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSXRenderer.media_type): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer, XLSXRenderer])
    def export(self, request):
        fmt = request.query_params.get("format", "csv")
        return lapsed_export(self.get_queryset(), "xlsx" if fmt == "xlsx" else "csv")


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    certificate = serializers.IntegerField(source="certificate_id", allow_null=True)
    application = serializers.IntegerField(source="application_id", allow_null=True)
    subject_text = serializers.CharField()
    complainant_name = serializers.CharField()
    description = serializers.CharField()
    received_on = serializers.DateField()
    acknowledge_by = serializers.DateField()
    acknowledge_provisional = serializers.BooleanField()
    decide_by = serializers.DateField()
    acknowledged_on = serializers.DateField(allow_null=True)
    handler = serializers.IntegerField(source="handler_id", allow_null=True)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, allow_blank=True)
    decision = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    special_audit_requested = serializers.BooleanField()
    special_audit_reference = serializers.CharField()


class AppealCreateSerializer(serializers.Serializer):
    certificate = serializers.IntegerField(required=False)
    application = serializers.IntegerField(required=False)
    contact = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)


class CaseAssignSerializer(serializers.Serializer):
    handler = serializers.IntegerField()


class CaseDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    decision = serializers.CharField(max_length=5000)


class CaseSpecialAuditSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """投诉与申诉: the register (programme managers, administrators); an enterprise user sees and lodges
    its own enterprise's appeals."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        p = self.request.query_params
        return case_list(
            self.request.user, kind=p.get("kind", ""), status=p.get("status", ""), search=p.get("q", "").strip()[:100]
        )

    def get_object(self):
        return get_case_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=CaseKind.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=CaseStatus.values),
            OpenApiParameter("q", OpenApiTypes.STR),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AppealCreateSerializer, responses={201: CaseSerializer})
    def create(self, request):
        """An appeal by an enterprise user against a decision on its own certificate or application."""
        if request.user.is_cb_staff:
            raise exceptions.PermissionDenied("申诉由企业用户提出 / appeals are lodged by enterprise users")
        data = AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enterprises = enterprises_for_user(request.user)
        certificate = application = None
        try:
            if "certificate" in data.validated_data:
                certificate = Certificate.objects.get(pk=data.validated_data["certificate"], enterprise__in=enterprises)
            elif "application" in data.validated_data:
                application = Application.objects.get(pk=data.validated_data["application"], enterprise__in=enterprises)
        except (Certificate.DoesNotExist, Application.DoesNotExist):
            raise Http404(NOT_FOUND) from None
        thing = certificate or application
        if thing is None:
            raise RuleViolation(
                "请选择申诉针对的证书或申请", "choose the certificate or application appealed", "subject"
            )
        case = cases.appeal_lodge(
            by=request.user,
            enterprise=thing.enterprise,
            certificate=certificate,
            application=application,
            contact=data.validated_data["contact"],
            description=data.validated_data["description"],
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    def _write(self, pk):
        return get_case_for_user(self.request.user, pk, write=True)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return Response(CaseSerializer(cases.case_acknowledge(by=request.user, case=self._write(pk))).data)

    @extend_schema(request=CaseAssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self._write(pk)
        data = CaseAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handler = User.objects.filter(pk=data.validated_data["handler"]).first()
        return Response(CaseSerializer(cases.case_assign(by=request.user, case=case, handler=handler)).data)

    @extend_schema(request=CaseDecideSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self._write(pk)
        data = CaseDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CaseSerializer(cases.case_decide(by=request.user, case=case, **data.validated_data)).data)

    @extend_schema(request=CaseSpecialAuditSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="special-audit")
    def special_audit(self, request, pk=None):
        case = self._write(pk)
        data = CaseSpecialAuditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            CaseSerializer(
                cases.case_request_special_audit(by=request.user, case=case, reason=data.validated_data["reason"])
            ).data
        )


class PublicComplaintSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=200)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000)


class PublicComplaintReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    tracking_code = serializers.CharField()
    acknowledge_by = serializers.DateField()
    decide_by = serializers.DateField()


class PublicComplaintView(APIView):
    """投诉: anyone may lodge a complaint; the answer carries the reference and the tracking code."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_complaints"

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait=wait, detail=THROTTLED)

    @extend_schema(request=PublicComplaintSerializer, responses={201: PublicComplaintReceiptSerializer}, auth=[])
    def post(self, request):
        data = PublicComplaintSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enterprise, certificate = _subject(v["subject"])
        case = cases.complaint_receive(
            name=v["name"],
            contact=v["contact"],
            description=v["description"],
            subject_text=v["subject"],
            enterprise=enterprise,
            certificate=certificate,
        )
        return Response(PublicComplaintReceiptSerializer(case).data, status=status.HTTP_201_CREATED)


# --- change reports and major events (6 持续监督 2) ---------------------------------------------------


class ChangeReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    certificate = serializers.IntegerField(source="certificate_id")
    certificate_number = serializers.CharField(source="certificate.number")
    enterprise = serializers.IntegerField(source="enterprise_id")
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    description = serializers.CharField()
    effective_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ChangeStatus.choices)
    submitted_on = serializers.DateField()
    assessment = serializers.ChoiceField(choices=ChangeAssessment.choices, allow_blank=True)
    assessment_note = serializers.CharField()
    assessed_on = serializers.DateField(allow_null=True)
    special_audit_reference = serializers.CharField()


class ChangeReportCreateSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    description = serializers.CharField(max_length=5000)
    effective_on = serializers.DateField()


class ChangeAssessSerializer(serializers.Serializer):
    assessment = serializers.ChoiceField(choices=ChangeAssessment.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MajorEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    certificate = serializers.IntegerField(source="certificate_id")
    certificate_number = serializers.CharField(source="certificate.number")
    certificate_status = serializers.ChoiceField(source="certificate.status", choices=CertificateStatus.choices)
    enterprise = serializers.IntegerField(source="enterprise_id")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    description = serializers.CharField()
    occurred_on = serializers.DateField()
    reported_by_enterprise = serializers.BooleanField()
    status = serializers.ChoiceField(choices=EventStatus.choices)
    recorded_on = serializers.DateField()
    suspended_certificate = serializers.BooleanField()
    resolution = serializers.CharField()
    resolved_on = serializers.DateField(allow_null=True)
    restored_certificate = serializers.BooleanField()


class MajorEventCreateSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    description = serializers.CharField(max_length=5000)
    occurred_on = serializers.DateField()


class EventResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)
    restore = serializers.BooleanField(default=True)


def _reportable_certificate(user, pk):
    certificate = get_certificate_for_user(user, pk)
    if not may_report_on(user, certificate):
        raise exceptions.PermissionDenied(ONLY_REPORTERS)
    return certificate


_STATUS_Q = [OpenApiParameter("q", OpenApiTypes.STR, description="reference, certificate number or enterprise")]


class _RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The registers of change reports and major events: same readers, same filters, own rows."""

    model = None  # the register's model (an empty queryset while the schema is generated)
    rows = None  # selector(user, status=, search=)
    one = None  # permission helper(user, pk, write=False)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        check_register_reader(self.request.user)
        p = self.request.query_params
        return self.rows(self.request.user, status=p.get("status", ""), search=p.get("q", "").strip()[:100])

    def get_object(self):
        return self.one(self.request.user, self.kwargs["pk"])


class ChangeReportViewSet(_RegisterViewSet):
    """重大变更报告: the holder's users report and see their own; programme managers and administrators
    see all and assess. Other CB staff: 403."""

    serializer_class = ChangeReportSerializer
    model = ChangeReport
    rows = staticmethod(change_list)
    one = staticmethod(get_change_for_user)

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=ChangeStatus.values), *_STATUS_Q])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ChangeReportCreateSerializer, responses={201: ChangeReportSerializer})
    def create(self, request):
        check_reporter(request.user)
        data = ChangeReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = changes.change_report_submit(
            by=request.user,
            certificate=_reportable_certificate(request.user, v["certificate"]),
            kind=v["kind"],
            description=v["description"],
            effective_on=v["effective_on"],
        )
        return Response(ChangeReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChangeAssessSerializer, responses=ChangeReportSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        report = get_change_for_user(request.user, pk, write=True)
        data = ChangeAssessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessed = changes.change_report_assess(by=request.user, report=report, **data.validated_data)
        return Response(ChangeReportSerializer(assessed).data)


class MajorEventViewSet(_RegisterViewSet):
    """重大事件: recording one suspends the certificate at once; programme managers resolve it and may restore
    the certificate. The holder's users report and see their own; other CB staff: 403."""

    serializer_class = MajorEventSerializer
    model = MajorEvent
    rows = staticmethod(event_list)
    one = staticmethod(get_event_for_user)

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=EventStatus.values), *_STATUS_Q])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MajorEventCreateSerializer, responses={201: MajorEventSerializer})
    def create(self, request):
        check_reporter(request.user)
        data = MajorEventCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        event = changes.major_event_record(
            by=request.user,
            certificate=_reportable_certificate(request.user, v["certificate"]),
            kind=v["kind"],
            description=v["description"],
            occurred_on=v["occurred_on"],
        )
        return Response(MajorEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EventResolveSerializer, responses=MajorEventSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        event = get_event_for_user(request.user, pk, write=True)
        data = EventResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = changes.major_event_resolve(by=request.user, event=event, **data.validated_data)
        resolved.certificate.refresh_from_db()
        return Response(MajorEventSerializer(resolved).data)


def register(router) -> list:
    """Called by certflow/core/api_urls.py (like the later apps): the routes added in issue 7, part 2."""
    router.register("change-reports", ChangeReportViewSet, basename="change-report")
    router.register("major-events", MajorEventViewSet, basename="major-event")
    return []
