"""The survey REST API: the same services and permissions as the pages (decisions V9).

Customers come masked unless the caller makes the calls; per-respondent answers are for the survey
staff only; the questionnaire endpoints take the one-time token instead of an account.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from certflow.accounts.permissions import NOT_FOUND
from certflow.applications.permissions import get_application_for_user
from certflow.core.rules import RuleViolation
from certflow.surveys import selectors, services
from certflow.surveys.access_log import View, record_access
from certflow.surveys.domain import CallOutcome, mask_email, mask_name, mask_phone
from certflow.surveys.models import ImportJob, ImportRow, ImprovementPlan, Invitation, PersonalDataAccess, Survey
from certflow.surveys.permissions import (
    ONLY_STAFF,
    get_import_for_user,
    get_invitation_for_caller,
    get_plan_for_user,
    get_survey_for_user,
    may_see_personal_data,
)
from certflow.surveys.services.common import is_survey_staff, rules_for


class SurveySerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Survey
        fields = (
            "id",
            "application",
            "application_reference",
            "enterprise",
            "enterprise_name",
            "round",
            "status",
            "population",
            "sample_size",
            "drawn_at",
            "opened_at",
            "closes_on",
            "closed_at",
            "result_answered",
            "result_satisfied",
            "result_passed",
            "previous",
        )
        read_only_fields = fields


class SurveyStaffSerializer(SurveySerializer):
    """What the survey staff see in addition: the draw's seed and frame hash (for redraw-check)."""

    class Meta(SurveySerializer.Meta):
        fields = (*SurveySerializer.Meta.fields, "seed", "frame_sha256")
        read_only_fields = fields


class SurveyCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()


class SurveyOpenSerializer(serializers.Serializer):
    closes_on = serializers.DateField()


class SurveySendSerializer(serializers.Serializer):
    medium = serializers.ChoiceField(choices=["email", "sms"])


class ResurveyReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CustomerListUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = (
            "id",
            "survey",
            "original_name",
            "kind",
            "encoding",
            "state",
            "rows_seen",
            "rows_rejected",
            "rows_merged",
            "customers_created",
            "message_zh",
            "message_en",
            "uploaded_at",
            "finished_at",
        )
        read_only_fields = fields


class ImportRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRow
        fields = ("row_number", "outcome", "reason_zh", "reason_en", "merged_into")
        read_only_fields = fields


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    category = serializers.CharField()
    order_id = serializers.CharField()
    source_rows = serializers.ListField(child=serializers.IntegerField())

    def to_representation(self, customer):
        data = super().to_representation(customer)
        if not self.context.get("unmasked"):
            data["name"] = mask_name(customer.name)
            data["phone"] = mask_phone(customer.phone)
            data["email"] = mask_email(customer.email) if customer.email else ""
        return data


class PersonalDataAccessSerializer(serializers.ModelSerializer):
    viewer = serializers.CharField(source="viewer.email")

    class Meta:
        model = PersonalDataAccess
        fields = ("id", "at", "viewer", "view", "shown", "customer")
        read_only_fields = fields


class CallAttemptSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    ratings = serializers.DictField(child=serializers.IntegerField(), required=False)
    overall = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvitationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="customer.name")
    phone = serializers.CharField(source="customer.phone")
    email = serializers.CharField(source="customer.email")
    calls = serializers.IntegerField(source="call_count", read_only=True)
    answered = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ("id", "stratum", "name", "phone", "email", "sent_at", "expires_at", "used_at", "calls", "answered")
        read_only_fields = fields

    def get_answered(self, invitation) -> bool:
        return invitation.used_at is not None


class ImprovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImprovementPlan
        fields = (
            "id",
            "survey",
            "cause_analysis",
            "improvement",
            "completion_date",
            "submitted_at",
            "decision",
            "review_comment",
            "reviewed_at",
        )
        read_only_fields = ("id", "survey", "submitted_at", "decision", "review_comment", "reviewed_at")


class ImprovementReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Satisfaction surveys (用户满意度调查), one per application round. Create = open round 1 for an
    accepted application (acceptance clerk or programme manager)."""

    def get_queryset(self):
        return selectors.survey_list(self.request.user, status=self.request.query_params.get("status", ""))

    def get_serializer_class(self):
        return SurveyStaffSerializer if may_see_personal_data(self.request.user) else SurveySerializer

    def get_object(self):
        return get_survey_for_user(self.request.user, self.kwargs["pk"])

    def _out(self, survey, code=status.HTTP_200_OK):
        survey = get_survey_for_user(self.request.user, survey.pk)
        return Response(self.get_serializer_class()(survey).data, status=code)

    @extend_schema(request=SurveyCreateSerializer, responses={201: SurveyStaffSerializer})
    def create(self, request):
        if not is_survey_staff(request.user):
            raise PermissionDenied(ONLY_STAFF)
        data = SurveyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = get_application_for_user(request.user, data.validated_data["application"])
        return self._out(services.survey_create(by=request.user, application=application), status.HTTP_201_CREATED)

    @extend_schema(request=CustomerListUploadSerializer, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def upload(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, enterprise=True)
        data = CustomerListUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.list_upload(by=request.user, survey=survey, upload=data.validated_data["file"])
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=SurveyStaffSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, staff=True)
        return self._out(services.survey_draw(by=request.user, survey=survey))

    @extend_schema(request=SurveyOpenSerializer, responses=SurveyStaffSerializer)
    @action(detail=True, methods=["post"], url_path="open")
    def open_survey(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, staff=True)
        data = SurveyOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(services.survey_open(by=request.user, survey=survey, **data.validated_data))

    @extend_schema(
        request=SurveySendSerializer,
        responses=inline_serializer(
            "SendResult",
            {
                "sent": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
                "skipped": serializers.IntegerField(),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, staff=True)
        data = SurveySendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counts = services.invitations_send(
            by=request.user,
            survey=survey,
            medium=data.validated_data["medium"],
            base_url=request.build_absolute_uri("/"),
        )
        return Response(counts)

    @extend_schema(request=None, responses=SurveyStaffSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, staff=True)
        return self._out(services.survey_close(by=request.user, survey=survey))

    @extend_schema(request=ResurveyReasonSerializer, responses={201: SurveyStaffSerializer})
    @action(detail=True, methods=["post"])
    def resurvey(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, staff=True)
        data = ResurveyReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.resurvey_order(by=request.user, survey=survey, reason=data.validated_data["reason"])
        return self._out(new, status.HTTP_201_CREATED)

    @extend_schema(request=ImprovementSerializer, responses={201: ImprovementSerializer})
    @action(detail=True, methods=["post"])
    def improvement(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk, enterprise=True)
        data = ImprovementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.improvement_submit(by=request.user, survey=survey, **data.validated_data)
        return Response(ImprovementSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CustomerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def customers(self, request, pk=None):
        survey = get_survey_for_user(request.user, pk)
        page = self.paginate_queryset(survey.customers.order_by("category", "phone", "pk"))
        context = {"unmasked": may_see_personal_data(request.user)}
        if context["unmasked"]:
            record_access(request, survey, View.API_CUSTOMERS, shown=len(page))
        return self.get_paginated_response(CustomerSerializer(page, many=True, context=context).data)

    @extend_schema(responses=PersonalDataAccessSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        """Who was shown this survey's customers unmasked, newest first: survey staff only (decisions PD2)."""
        survey = get_survey_for_user(request.user, pk, staff=True)
        page = self.paginate_queryset(survey.personal_data_accesses.select_related("viewer"))
        return self.get_paginated_response(PersonalDataAccessSerializer(page, many=True).data)

    @extend_schema(responses=InvitationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def invitations(self, request, pk=None):
        """The sample with contact data, for call-backs: survey staff only."""
        survey = get_survey_for_user(request.user, pk, staff=True)
        state = request.query_params.get("state", "all")
        page = self.paginate_queryset(selectors.call_list(survey, state=state))
        record_access(request, survey, View.API_INVITATIONS, shown=len(page))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)


class ImportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customer-list imports: progress and the row-by-row report."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()

    def get_object(self):
        return get_import_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=ImportRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        job = self.get_object()
        outcome = request.query_params.get("outcome", "")
        if outcome not in ImportRow.Outcome.values:
            outcome = ""
        page = self.paginate_queryset(selectors.import_report_rows(job, outcome=outcome))
        return self.get_paginated_response(ImportRowSerializer(page, many=True).data)


class InvitationViewSet(viewsets.GenericViewSet):
    """Phone call-backs on a sampled customer (survey staff only)."""

    serializer_class = CallAttemptSerializer
    queryset = Invitation.objects.none()

    @extend_schema(
        request=CallAttemptSerializer,
        responses={
            201: inline_serializer(
                "CallRecorded", {"id": serializers.IntegerField(), "outcome": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def calls(self, request, pk=None):
        invitation = get_invitation_for_caller(request.user, pk)
        data = CallAttemptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = services.call_record(by=request.user, invitation=invitation, **data.validated_data)
        return Response({"id": call.pk, "outcome": call.outcome}, status=status.HTTP_201_CREATED)


class ImprovementViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cause analyses and improvements after a result below the threshold; the CB reviews them."""

    serializer_class = ImprovementSerializer
    queryset = ImprovementPlan.objects.none()

    def get_object(self):
        return get_plan_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ImprovementReviewSerializer, responses=ImprovementSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        get_survey_for_user(request.user, plan.survey_id, staff=True)
        data = ImprovementReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.improvement_review(by=request.user, plan=plan, **data.validated_data)
        return Response(ImprovementSerializer(plan).data)


class QuestionnaireAnswerSerializer(serializers.Serializer):
    ratings = serializers.DictField(child=serializers.IntegerField(allow_null=True), required=False)
    overall = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class QuestionnaireSerializer(serializers.Serializer):
    enterprise = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.DictField())
    scale = serializers.ListField(child=serializers.DictField())


class QuestionnaireViewSet(viewsets.ViewSet):
    """The questionnaire behind a one-time link, without an account: read it, answer it once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_\-]{1,100}"

    def _invitation(self, token):
        try:
            return services.invitation_for_token(token)
        except RuleViolation as exc:
            if exc.code == "link_invalid":
                raise Http404(NOT_FOUND) from None
            raise

    @extend_schema(responses=QuestionnaireSerializer)
    def retrieve(self, request, token=None):
        invitation = self._invitation(token)
        rules = rules_for(invitation.survey)
        return Response(
            {
                "enterprise": invitation.survey.enterprise.name,
                "dimensions": [{"code": d.code, "zh": d.name.zh, "en": d.name.en} for d in rules.dimensions],
                "scale": [{"value": v, "zh": label.zh, "en": label.en} for v, label in rules.scale_labels],
            }
        )

    @extend_schema(
        request=QuestionnaireAnswerSerializer,
        responses={201: inline_serializer("Answered", {"ok": serializers.BooleanField()})},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, token=None):
        self._invitation(token)
        data = QuestionnaireAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.response_submit(
            token=token,
            ratings=data.validated_data.get("ratings") or {},
            overall=data.validated_data.get("overall"),
            comment=data.validated_data.get("comment", ""),
            address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response({"ok": True}, status=status.HTTP_201_CREATED)
