"""Audit planning API: the same selectors, permission helpers and services as the pages.

Status, days and team change only through the actions; the serializers are read-only.
"""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from certflow.accounts.models import Enterprise, User
from certflow.accounts.permissions import NOT_FOUND
from certflow.applications.models import SiteKind
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import (
    Audit,
    AuditNotice,
    AuditSite,
    AuditTeamMember,
    DateProposal,
    ScheduleSlot,
)
from certflow.audits.permissions import (
    check_planner,
    get_application_for_planner,
    get_audit_for_enterprise,
    get_audit_for_planner,
    get_audit_for_user,
    get_notice_for_user,
)
from certflow.audits.selectors import audit_list, planning_detail
from certflow.audits.services import planning
from certflow.core.files import content_disposition
from certflow.core.rules import RuleViolation


def today() -> date:
    # Notice periods are Beijing-time matters, whatever the server's clock says.
    return timezone.localdate(timezone=timezone.get_default_timezone())


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


# --- serializers ---------------------------------------------------------------------------------------


class PlanningProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = DateProposal
        fields = (
            "id",
            "side",
            "days",
            "message",
            "proposed_by",
            "proposed_at",
            "response",
            "responded_by",
            "responded_at",
            "response_message",
        )
        read_only_fields = fields


class PlanningTeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = AuditTeamMember
        fields = ("user", "name", "role", "added_at")
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return obj.user.full_name or obj.user.email


class PlanningSiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditSite
        fields = ("id", "site", "kind", "name", "address")
        read_only_fields = fields


class PlanningSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduleSlot
        fields = ("id", "day", "start", "end", "site", "activity", "auditor", "item_ids")
        read_only_fields = fields


class PlanningNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditNotice
        fields = ("id", "sent_on", "sent_by", "sent_at", "last_allowed_on", "sha256", "size")
        read_only_fields = fields


class AuditSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    # A surveillance audit has no application and an initial audit no certificate yet: null, said so.
    application_reference = serializers.CharField(
        source="application.reference", read_only=True, default=None, allow_null=True
    )
    certificate_number = serializers.CharField(
        source="certificate.number", read_only=True, default=None, allow_null=True
    )
    team = PlanningTeamMemberSerializer(source="current_team", many=True, read_only=True)

    class Meta:
        model = Audit
        fields = (
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "application",
            "application_reference",
            "certificate",
            "certificate_number",
            "surveillance_window",
            "audit_type",
            "status",
            "days",
            "first_day",
            "last_day",
            "notice_sent_on",
            "special_reason",
            "created_at",
            "cancelled_at",
            "cancel_reason",
            "team",
        )
        read_only_fields = fields


class AuditDetailSerializer(AuditSerializer):
    proposals = PlanningProposalSerializer(source="negotiation", many=True, read_only=True)
    sites = PlanningSiteSerializer(many=True, read_only=True)
    schedule = PlanningSlotSerializer(source="slots", many=True, read_only=True)
    notices = PlanningNoticeSerializer(source="sent_notices", many=True, read_only=True)
    last_notice_date = serializers.SerializerMethodField(
        help_text="the last day the notice may go out for the agreed (or proposed) first day; null if none"
    )
    onsite_items = serializers.SerializerMethodField()

    class Meta(AuditSerializer.Meta):
        fields = (
            *AuditSerializer.Meta.fields,
            "proposals",
            "sites",
            "schedule",
            "notices",
            "last_notice_date",
            "onsite_items",
        )
        read_only_fields = fields

    def get_last_notice_date(self, obj) -> date | None:
        days = planning.planning_days(obj)
        if not days:
            return None
        try:
            return planning.last_allowed_notice(obj, days[0])
        except RuleViolation:
            return None

    def get_onsite_items(self, obj) -> list[str]:
        return [item.id for item in planning.audit_scheme(obj).items_for_stage("onsite_audit")]


class PlanningCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    audit_type = serializers.ChoiceField(choices=[AuditType.INITIAL, AuditType.RECERTIFICATION], default="initial")


class PlanningSpecialSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    reason = serializers.CharField(max_length=4000)
    application = serializers.IntegerField(required=False, allow_null=True)


class PlanningDaysSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField(), max_length=20)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class PlanningProposalRefSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()


class PlanningCounterSerializer(PlanningDaysSerializer):
    proposal = serializers.IntegerField()


class PlanningTeamSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(), max_length=30)
    lead = serializers.IntegerField(allow_null=True)


class PlanningSiteWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SiteKind.choices)
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300)


class PlanningSlotWriteSerializer(serializers.Serializer):
    day = serializers.DateField()
    start = serializers.TimeField()
    end = serializers.TimeField()
    activity = serializers.CharField(max_length=300)
    site = serializers.IntegerField(required=False, allow_null=True)
    auditor = serializers.IntegerField(required=False, allow_null=True)
    item_ids = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)


class PlanningRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class PlanningReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class PlanningRefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class PlanningCandidateSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    name = serializers.CharField(source="facts.label")
    level = serializers.CharField(source="facts.level")
    qualification_number = serializers.CharField(source="facts.qualification_number")
    eligible = serializers.BooleanField()
    eligible_as_lead = serializers.BooleanField()
    may_join_team = serializers.BooleanField()
    problems = PlanningRefusalSerializer(many=True)
    lead_problems = PlanningRefusalSerializer(many=True)


# --- the viewset -----------------------------------------------------------------------------------------


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _proposal(audit: Audit, pk) -> DateProposal:
    proposal = DateProposal.objects.filter(pk=pk, audit=audit).first()
    if proposal is None:
        raise NotFound(NOT_FOUND)
    return proposal


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """On-site audits (现场审核): planned by programme managers, dates answered by the enterprise.

    Visibility as on the pages: CB roles spanning clients see all, auditors their teams' audits, enterprise
    users their own enterprise's."""

    serializer_class = AuditSerializer

    def get_queryset(self):
        params = self.request.query_params
        status_ = params.get("status", "")
        kind = params.get("audit_type", "")
        return audit_list(
            self.request.user,
            status=status_ if status_ in AuditStatus.values else "",
            audit_type=kind if kind in AuditType.values else "",
        )

    def get_object(self):
        return planning_detail(get_audit_for_user(self.request.user, self.kwargs["pk"]).pk)

    def get_serializer_class(self):
        return AuditSerializer if self.action == "list" else AuditDetailSerializer

    def _detail(self, audit, code=status.HTTP_200_OK):
        return Response(
            AuditDetailSerializer(planning_detail(audit.pk), context={"request": self.request}).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=AuditStatus.values),
            OpenApiParameter("audit_type", str, enum=AuditType.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PlanningCreateSerializer, responses={201: AuditDetailSerializer})
    def create(self, request):
        check_planner(request.user)
        data = _valid(PlanningCreateSerializer, request.data)
        application = get_application_for_planner(request.user, data["application"])
        audit = planning.audit_create(
            by=request.user, application=application, audit_type=data["audit_type"], today=today()
        )
        return self._detail(audit, status.HTTP_201_CREATED)

    @extend_schema(request=PlanningSpecialSerializer, responses={201: AuditDetailSerializer})
    @action(detail=False, methods=["post"])
    def special(self, request):
        check_planner(request.user)
        data = _valid(PlanningSpecialSerializer, request.data)
        enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first()
        if enterprise is None:
            raise NotFound(NOT_FOUND)
        application = None
        if data.get("application"):
            application = get_application_for_planner(request.user, data["application"])
        audit = planning.special_audit_create(
            by=request.user, enterprise=enterprise, reason=data["reason"], application=application, today=today()
        )
        return self._detail(audit, status.HTTP_201_CREATED)

    @extend_schema(request=PlanningDaysSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="propose-dates")
    def propose_dates(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        data = _valid(PlanningDaysSerializer, request.data)
        planning.dates_propose(by=request.user, audit=audit, days=data["days"], message=data["message"], today=today())
        return self._detail(audit)

    @extend_schema(request=PlanningProposalRefSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-dates")
    def confirm_dates(self, request, pk=None):
        audit = get_audit_for_enterprise(request.user, pk)
        data = _valid(PlanningProposalRefSerializer, request.data)
        planning.dates_confirm(by=request.user, audit=audit, proposal=_proposal(audit, data["proposal"]), today=today())
        return self._detail(audit)

    @extend_schema(request=PlanningCounterSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="counter-propose")
    def counter_propose(self, request, pk=None):
        audit = get_audit_for_enterprise(request.user, pk)
        data = _valid(PlanningCounterSerializer, request.data)
        planning.dates_counter(
            by=request.user,
            audit=audit,
            proposal=_proposal(audit, data["proposal"]),
            days=data["days"],
            message=data["message"],
            today=today(),
        )
        return self._detail(audit)

    @extend_schema(request=PlanningProposalRefSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="accept-counter")
    def accept_counter(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        data = _valid(PlanningProposalRefSerializer, request.data)
        planning.dates_accept_counter(
            by=request.user, audit=audit, proposal=_proposal(audit, data["proposal"]), today=today()
        )
        return self._detail(audit)

    @extend_schema(request=None, responses=PlanningCandidateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request, pk=None):
        from certflow.auditors.selectors import candidates

        audit = get_audit_for_planner(request.user, pk)
        people = candidates(
            enterprise_id=audit.enterprise_id,
            categories=planning.audit_categories(audit),
            audit_days=planning.planning_days(audit),
        )
        return Response(PlanningCandidateSerializer(people, many=True).data)

    @extend_schema(request=PlanningTeamSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="set-team")
    def set_team(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        data = _valid(PlanningTeamSerializer, request.data)
        wanted = [*data["members"], *([data["lead"]] if data["lead"] is not None else [])]
        users = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
        missing = sorted(set(wanted) - set(users))
        if missing:
            raise RuleViolation(f"未找到用户：{missing}", f"no such users: {missing}", "unknown_user")
        planning.team_set(
            by=request.user,
            audit=audit,
            members=[users[i] for i in data["members"]],
            lead=users.get(data["lead"]) if data["lead"] is not None else None,
        )
        return self._detail(audit)

    @extend_schema(request=PlanningSiteWriteSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="add-site")
    def add_site(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        planning.site_add(by=request.user, audit=audit, **_valid(PlanningSiteWriteSerializer, request.data))
        return self._detail(audit)

    @extend_schema(request=PlanningRefSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="remove-site")
    def remove_site(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        site = audit.sites.filter(pk=_valid(PlanningRefSerializer, request.data)["id"]).first()
        if site is None:
            raise NotFound(NOT_FOUND)
        planning.site_remove(by=request.user, site=site)
        return self._detail(audit)

    @extend_schema(request=PlanningSlotWriteSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="add-slot")
    def add_slot(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        data = _valid(PlanningSlotWriteSerializer, request.data)
        site = audit.sites.filter(pk=data["site"]).first() if data.get("site") else None
        auditor = None
        if data.get("auditor"):
            member = audit.team.filter(user_id=data["auditor"], removed_at__isnull=True).select_related("user").first()
            if member is None:
                raise RuleViolation(*domain_not_member())
            auditor = member.user
        planning.schedule_slot_add(
            by=request.user,
            audit=audit,
            day=data["day"],
            start=data["start"],
            end=data["end"],
            activity=data["activity"],
            site=site,
            auditor=auditor,
            item_ids=data["item_ids"],
        )
        return self._detail(audit)

    @extend_schema(request=PlanningRefSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="remove-slot")
    def remove_slot(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        slot = audit.schedule.filter(pk=_valid(PlanningRefSerializer, request.data)["id"]).first()
        if slot is None:
            raise NotFound(NOT_FOUND)
        planning.schedule_slot_remove(by=request.user, slot=slot)
        return self._detail(audit)

    @extend_schema(request=None, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-notice")
    def send_notice(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        planning.notice_send(by=request.user, audit=audit, today=today())
        return self._detail(audit)

    @extend_schema(request=PlanningReasonSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        audit = get_audit_for_planner(request.user, pk)
        planning.audit_cancel(
            by=request.user, audit=audit, reason=_valid(PlanningReasonSerializer, request.data)["reason"]
        )
        return self._detail(audit)

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="审核通知 PDF")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"notices/(?P<notice_id>[0-9]+)",
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
    )
    def notice(self, request, pk=None, notice_id=None):
        from django.core.files.storage import default_storage

        notice = get_notice_for_user(request.user, pk, notice_id)
        try:
            with default_storage.open(notice.storage_name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise NotFound(NOT_FOUND) from None
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(f"审核通知-{notice.audit.reference}.pdf")
        response["Cache-Control"] = "private, no-store"
        return response


def domain_not_member() -> tuple[str, str, str]:
    return (
        "日程只能安排给本次审核的审核组成员",
        "a schedule line may name only a member of this audit team",
        "not_member",
    )


__all__ = ["AuditViewSet"]
