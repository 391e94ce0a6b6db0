"""Audit conduct API: the same selectors, permission helpers and services as the conduct pages.

`audit-conduct/{audit id}`: the checklist with its score, the nonconformities and the closing meeting;
actions start, closing-meeting, pass, report, nonconformities/{id}/confirm.
`audit-findings`: save one item's finding (idempotent through client_token, 409 on a stale revision),
add evidence files, raise the nonconformity of a finding.
"""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certflow.accounts.permissions import NOT_FOUND
from certflow.audits.models import Finding, ProposalSide
from certflow.audits.permissions import (
    check_on_a_team,
    get_audit_for_confirmer,
    get_audit_for_lead,
    get_audit_for_team,
    get_audit_for_user,
    get_audit_nonconformity,
    may_see_findings,
)
from certflow.audits.report_pdf import audit_report_pdf
from certflow.audits.selectors import audits_for_user, conduct_detail, findings_checklist
from certflow.audits.services import conduct
from certflow.core.files import content_disposition
from certflow.core.rules import RuleViolation
from certflow.reviews.domain import ANSWER_CHOICES
from certflow.reviews.views.common import today

ITEM_ID = r"[0-9]+(?:\.[0-9]+)*-[0-9]+"


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _num(value) -> str | None:
    from certflow.audits.views.conduct import num

    return None if value is None else num(value)


class FindingFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return f"/audits/{obj.finding.audit_id}/files/{obj.pk}/"


class FindingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()
    files = FindingFileSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "audit",
            "item_id",
            "result",
            "note",
            "na_reason",
            "revision",
            "client_token",
            "recorded_by",
            "recorded_at",
            "files",
        ]

    def get_recorded_by(self, obj) -> str:
        return obj.recorded_by.full_name or obj.recorded_by.email


class FindingWriteSerializer(serializers.Serializer):
    audit = serializers.IntegerField()
    item_id = serializers.RegexField(f"^{ITEM_ID}$")
    result = serializers.ChoiceField(choices=ANSWER_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    na_reason = serializers.CharField(required=False, allow_blank=True, default="")
    revision = serializers.IntegerField(min_value=0, help_text="the revision the edit is based on; 0 for a new item")
    client_token = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class ItemScoreSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    clause = serializers.CharField()
    weight = serializers.IntegerField()
    result = serializers.CharField(allow_null=True)
    points = serializers.CharField(allow_null=True)


class ScoreSerializer(serializers.Serializer):
    score = serializers.CharField(allow_null=True, help_text="out of max_score, over the items answered so far")
    max_score = serializers.IntegerField()
    earned = serializers.CharField()
    total = serializers.IntegerField(help_text="weights of the answered, applicable items")
    answered = serializers.IntegerField()
    count = serializers.IntegerField()
    complete = serializers.BooleanField()


class ConfirmationSerializer(serializers.Serializer):
    representative_name = serializers.CharField()
    representative_title = serializers.CharField()
    own_account = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField()
    remark = serializers.CharField()


class AuditNonconformitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    item_id = serializers.CharField()
    grade = serializers.CharField()
    state = serializers.CharField()
    description = serializers.CharField()
    due_date = serializers.DateField()
    due_provisional = serializers.BooleanField()
    confirmation = ConfirmationSerializer(allow_null=True)


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    side = serializers.ChoiceField(choices=ProposalSide.choices)


class ClosingMeetingSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    attendees = AttendeeSerializer(many=True)
    conclusion = serializers.CharField()
    recommendation = serializers.CharField(required=False, allow_blank=True, default="")


class ConductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    findings_visible = serializers.BooleanField()
    score = ScoreSerializer(allow_null=True)
    items = ItemScoreSerializer(many=True)
    findings = FindingSerializer(many=True)
    nonconformities = AuditNonconformitySerializer(many=True)
    closing_meeting = ClosingMeetingSerializer(allow_null=True)
    passed_on_plan = serializers.ListField(child=serializers.CharField())


class ConfirmSerializer(serializers.Serializer):
    representative_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    representative_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    remark = serializers.CharField(required=False, allow_blank=True, default="")


def conduct_body(user, pk: int) -> dict:
    audit = conduct_detail(pk)
    visible = may_see_findings(user, audit)
    body = {
        "id": audit.pk,
        "reference": audit.reference,
        "status": audit.status,
        "findings_visible": visible,
        "score": None,
        "items": [],
        "findings": [],
        "nonconformities": [],
        "closing_meeting": None,
        "passed_on_plan": list(audit.passed_on_plan),
    }
    for nc in audit.nonconformities.all():
        c = getattr(nc, "confirmation", None)
        body["nonconformities"].append(
            {
                "id": nc.pk,
                "number": nc.number,
                "item_id": nc.item_id,
                "grade": nc.grade,
                "state": nc.state,
                "description": nc.description,
                "due_date": nc.due_date,
                "due_provisional": nc.due_provisional,
                "confirmation": c
                and {
                    "representative_name": c.representative_name,
                    "representative_title": c.representative_title,
                    "own_account": c.enterprise_user_id is not None,
                    "confirmed_at": c.confirmed_at,
                    "remark": c.remark,
                },
            }
        )
    meeting = getattr(audit, "closing_meeting", None) if audit.closed_at else None
    if meeting:
        body["closing_meeting"] = {
            "held_at": meeting.held_at,
            "attendees": meeting.attendees,
            "conclusion": meeting.conclusion,
            "recommendation": meeting.recommendation,
        }
    if visible:
        groups, score = findings_checklist(audit)
        body["score"] = {
            "score": _num(score.score),
            "max_score": score.max_score,
            "earned": _num(score.earned),
            "total": score.total,
            "answered": score.answered,
            "count": len(score.items),
            "complete": score.complete,
        }
        body["items"] = [
            {
                "item_id": row.item.id,
                "clause": group.clause.number,
                "weight": row.points.weight,
                "result": row.points.result,
                "points": _num(row.points.earned),
            }
            for group in groups
            for row in group.rows
        ]
        body["findings"] = [row.finding for group in groups for row in group.rows if row.finding is not None]
    return ConductSerializer(body).data


class AuditConductViewSet(viewsets.GenericViewSet):
    """The conduct of an on-site audit (现场审核): checklist, score, nonconformities, closing meeting."""

    serializer_class = ConductSerializer

    def get_queryset(self):
        return audits_for_user(self.request.user)

    @extend_schema(responses=ConductSerializer)
    def retrieve(self, request, pk=None):
        get_audit_for_user(request.user, pk)
        return Response(conduct_body(request.user, int(pk)))

    @extend_schema(request=None, responses=ConductSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        audit = get_audit_for_lead(request.user, pk)
        conduct.audit_start(by=request.user, audit=audit, today=today())
        return Response(conduct_body(request.user, audit.pk))

    @extend_schema(request=ClosingMeetingSerializer, responses=ConductSerializer)
    @action(detail=True, methods=["post"], url_path="closing-meeting", url_name="closing-meeting")
    def closing_meeting(self, request, pk=None):
        audit = get_audit_for_lead(request.user, pk)
        data = ClosingMeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        conduct.closing_meeting_hold(
            by=request.user,
            audit=audit,
            held_at=values["held_at"],
            attendees=[dict(a) for a in values["attendees"]],
            conclusion=values["conclusion"],
            recommendation=values["recommendation"],
            today=today(),
        )
        return Response(conduct_body(request.user, audit.pk))

    @extend_schema(request=None, responses=ConductSerializer)
    @action(detail=True, methods=["post"], url_path="pass", url_name="pass")
    def pass_(self, request, pk=None):
        audit = get_audit_for_lead(request.user, pk)
        conduct.audit_pass(by=request.user, audit=audit)
        return Response(conduct_body(request.user, audit.pk))

    @extend_schema(
        request=ConfirmSerializer,
        responses=ConductSerializer,
        parameters=[OpenApiParameter("nonconformity_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"nonconformities/(?P<nonconformity_id>[0-9]+)/confirm")
    def confirm(self, request, pk=None, nonconformity_id=None):
        audit = get_audit_for_confirmer(request.user, pk)
        nc = get_audit_nonconformity(audit, nonconformity_id)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conduct.nonconformity_confirm(by=request.user, nonconformity=nc, **data.validated_data)
        return Response(conduct_body(request.user, audit.pk))

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def report(self, request, pk=None):
        audit = get_audit_for_user(request.user, pk)
        if not may_see_findings(request.user, audit):
            raise Http404(NOT_FOUND)
        response = HttpResponse(audit_report_pdf(conduct_detail(audit.pk)), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(f"现场审核报告_{audit.reference}.pdf")
        response["Cache-Control"] = "private, no-store"
        return response


CONFLICT = inline_serializer(
    "FindingConflict",
    {
        "code": serializers.CharField(),
        "zh": serializers.CharField(),
        "en": serializers.CharField(),
        "current": FindingSerializer(allow_null=True),
    },
)


class AuditFindingViewSet(viewsets.GenericViewSet):
    """Findings of the on-site checklist, one per audit × item. POST saves (creates or changes) one."""

    serializer_class = FindingSerializer

    def get_queryset(self):
        return Finding.objects.none()

    @extend_schema(parameters=[OpenApiParameter("audit", int, required=True)], responses=FindingSerializer(many=True))
    def list(self, request):
        pk = request.query_params.get("audit", "")
        if not pk.isdigit():
            raise Http404(NOT_FOUND)
        audit = get_audit_for_user(request.user, pk)
        if not may_see_findings(request.user, audit):
            return Response([])
        qs = Finding.objects.filter(audit=audit).select_related("recorded_by").prefetch_related("files")
        return Response(FindingSerializer(qs.order_by("id"), many=True).data)

    @extend_schema(
        request=FindingWriteSerializer,
        responses={200: FindingSerializer, 201: FindingSerializer, 409: CONFLICT},
    )
    def create(self, request):
        check_on_a_team(request.user)
        data = FindingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        audit = get_audit_for_team(request.user, values["audit"])
        existed = Finding.objects.filter(audit=audit, item_id=values["item_id"]).exists()
        try:
            saved = conduct.finding_record(
                by=request.user,
                audit=audit,
                item_id=values["item_id"],
                result=values["result"],
                note=values["note"],
                na_reason=values["na_reason"],
                revision=values["revision"],
                client_token=values["client_token"],
            )
        except RuleViolation as exc:
            if exc.code != "conflict":
                raise
            current = Finding.objects.filter(audit=audit, item_id=values["item_id"]).first()
            return Response(
                {**exc.as_dict(), "current": current and FindingSerializer(current).data},
                status=status.HTTP_409_CONFLICT,
            )
        code = status.HTTP_200_OK if existed or saved.replayed else status.HTTP_201_CREATED
        return Response(FindingSerializer(saved.finding).data, status=code)

    def _finding(self, pk) -> Finding:
        finding = (
            Finding.objects.filter(pk=pk, audit__in=audits_for_user(self.request.user)).first()
            if str(pk).isdigit()
            else None
        )
        if finding is None:
            raise Http404(NOT_FOUND)
        return finding

    @extend_schema(
        request={"multipart/form-data": inline_serializer("FindingFileUpload", {"file": serializers.FileField()})},
        responses={201: FindingFileSerializer},
    )
    @action(detail=True, methods=["post"])
    def files(self, request, pk=None):
        finding = self._finding(pk)
        audit = get_audit_for_team(request.user, finding.audit_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise RuleViolation("请选择要上传的文件", "choose a file to upload", "no_file")
        file = conduct.finding_file_add(
            by=request.user, audit=audit, item_id=finding.item_id, name=upload.name, data=upload
        )
        return Response(FindingFileSerializer(file).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: AuditNonconformitySerializer})
    @action(detail=True, methods=["post"])
    def nonconformity(self, request, pk=None):
        finding = self._finding(pk)
        audit = get_audit_for_team(request.user, finding.audit_id)
        nc = conduct.nonconformity_raise_from_finding(
            by=request.user, audit=audit, item_id=finding.item_id, today=today()
        )
        body = {
            "id": nc.pk,
            "number": nc.number,
            "item_id": nc.item_id,
            "grade": nc.grade,
            "state": nc.state,
            "description": nc.description,
            "due_date": nc.due_date,
            "due_provisional": nc.due_provisional,
            "confirmation": None,
        }
        return Response(AuditNonconformitySerializer(body).data, status=status.HTTP_201_CREATED)
