"""The register's REST API: the same permission helpers and services as the pages.

/api/v1/auditors/ (profiles; `me`, `candidates`), /api/v1/auditor-competences/,
/api/v1/auditor-conflicts/, /api/v1/auditor-unavailability/. Nothing is deleted: competences and
unavailable periods are removed with `remove`, conflicts withdrawn with `withdraw`.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from certflow.accounts.models import Enterprise, User
from certflow.accounts.permissions import NOT_FOUND
from certflow.auditors import services
from certflow.auditors.domain import AuditorLevel, QualificationFlag
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.auditors.permissions import (
    ONLY_KEEPER,
    get_competence_for_user,
    get_conflict_for_user,
    get_own_profile,
    get_profile_for_user,
    get_unavailability_for_user,
    profiles_for_user,
)
from certflow.auditors.selectors import candidates, category_catalogue, flag_for, register_list
from certflow.core.rules import RuleViolation


def _today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


# --- serializers -------------------------------------------------------------------------------


class CompetenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competence
        fields = ("id", "profile", "category", "granted_on", "basis", "removed_at", "removed_by")
        read_only_fields = ("id", "removed_at", "removed_by")


class ConflictSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = ConflictDeclaration
        fields = (
            "id",
            "profile",
            "enterprise",
            "enterprise_name",
            "until",
            "reason",
            "declared_by",
            "declared_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_reason",
        )
        read_only_fields = ("id", "declared_by", "declared_at", "withdrawn_at", "withdrawn_by", "withdrawn_reason")


class UnavailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Unavailability
        fields = ("id", "profile", "start", "end", "reason", "created_by", "created_at", "removed_at")
        read_only_fields = ("id", "created_by", "created_at", "removed_at")


class AuditorProfileSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    flag = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = AuditorProfile
        fields = (
            "id",
            "user",
            "full_name",
            "email",
            "qualification_number",
            "level",
            "valid_from",
            "valid_until",
            "flag",
            "categories",
            "notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=QualificationFlag.choices))
    def get_flag(self, profile) -> str:
        return getattr(profile, "flag", None) or flag_for(profile, _today())

    def get_categories(self, profile) -> list[str]:
        return [c.category for c in profile.current_competences]


class AuditorProfileDetailSerializer(AuditorProfileSerializer):
    competences = CompetenceSerializer(source="current_competences", many=True, read_only=True)
    conflicts = ConflictSerializer(source="all_conflicts", many=True, read_only=True)
    unavailable_periods = UnavailabilitySerializer(source="current_unavailability", many=True, read_only=True)

    class Meta(AuditorProfileSerializer.Meta):
        fields = (*AuditorProfileSerializer.Meta.fields, "competences", "conflicts", "unavailable_periods")
        read_only_fields = fields


class ProfileWriteSerializer(serializers.Serializer):
    qualification_number = serializers.CharField(max_length=60)
    level = serializers.ChoiceField(choices=AuditorLevel.choices)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ProfileCreateSerializer(ProfileWriteSerializer):
    user = serializers.IntegerField()


class ProfileUpdateSerializer(serializers.Serializer):
    qualification_number = serializers.CharField(max_length=60, required=False)
    level = serializers.ChoiceField(choices=AuditorLevel.choices, required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="facts.user_id")
    label = serializers.CharField(source="facts.label")
    level = serializers.CharField(source="facts.level")
    qualification_number = serializers.CharField(source="facts.qualification_number")
    categories = serializers.SerializerMethodField()
    eligible = serializers.BooleanField()
    eligible_as_lead = serializers.BooleanField()
    may_join_team = serializers.BooleanField()
    problems = RefusalSerializer(many=True)
    lead_problems = RefusalSerializer(many=True)

    def get_categories(self, candidate) -> list[str]:
        return sorted(candidate.facts.categories)


class CandidateQuerySerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    categories = serializers.CharField(help_text="comma-separated category codes")
    days = serializers.CharField(help_text="comma-separated audit days, YYYY-MM-DD")

    def validate_days(self, value):
        field = serializers.DateField()
        days = [field.to_internal_value(v.strip()) for v in value.split(",") if v.strip()]
        if not days:
            raise serializers.ValidationError("至少一个审核日 / at least one audit day")
        return days

    def validate_categories(self, value):
        codes = [v.strip() for v in value.split(",") if v.strip()]
        unknown = set(codes) - set(category_catalogue())
        if unknown:
            raise serializers.ValidationError(f"未知类别 / unknown categories: {', '.join(sorted(unknown))}")
        return codes


# --- viewsets ----------------------------------------------------------------------------------


def _not_for_enterprises(user) -> None:
    # Enterprises never see the register, not even that it is empty.
    if not user.is_cb_staff:
        raise NotFound(NOT_FOUND)


def _keeper(user) -> None:
    _not_for_enterprises(user)
    if not services.is_register_keeper(user):
        raise PermissionDenied(ONLY_KEEPER)


ONLY_DECLARER = (
    "只有审核方案管理人员、系统管理员或审核员本人可以申报 / "
    "only a programme manager, an administrator or the auditor himself may declare this"
)


def _declarer(user) -> None:
    """Before the body is read: conflicts and unavailable dates are declared by a keeper or by an auditor
    for his own profile; staff with no profile may declare nothing (403)."""
    _not_for_enterprises(user)
    if not (services.is_register_keeper(user) or profiles_for_user(user).exists()):
        raise PermissionDenied(ONLY_DECLARER)


def _detail(profile, request):
    from certflow.auditors.selectors import profile_detail

    return AuditorProfileDetailSerializer(profile_detail(profile.pk), context={"request": request}).data


class AuditorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The auditor register. Keepers (programme manager, administrator) list and change every profile;
    an auditor sees only his own."""

    serializer_class = AuditorProfileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditorProfile.objects.none()
        _not_for_enterprises(self.request.user)
        p = self.request.query_params
        qs = register_list(level=p.get("level", ""), category=p.get("category", ""), flag=p.get("flag", ""))
        return qs.filter(pk__in=profiles_for_user(self.request.user).values("pk"))

    @extend_schema(responses=AuditorProfileDetailSerializer)
    def retrieve(self, request, pk=None):
        _not_for_enterprises(request.user)
        return Response(_detail(get_profile_for_user(request.user, pk), request))

    @extend_schema(request=ProfileCreateSerializer, responses={201: AuditorProfileDetailSerializer})
    def create(self, request):
        _keeper(request.user)
        data = ProfileCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            user = User.objects.get(pk=values.pop("user"))
        except User.DoesNotExist:
            raise RuleViolation("未找到该人员", "no such user", "unknown_user") from None
        profile = services.profile_create(by=request.user, user=user, **values)
        return Response(_detail(profile, request), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProfileUpdateSerializer, responses=AuditorProfileDetailSerializer)
    def partial_update(self, request, pk=None):
        _not_for_enterprises(request.user)
        profile = get_profile_for_user(request.user, pk, keep=True)
        data = ProfileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        services.profile_update(by=request.user, profile=profile, reason=reason, **values)
        return Response(_detail(profile, request))

    @extend_schema(responses=AuditorProfileDetailSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(_detail(get_own_profile(request.user), request))

    @extend_schema(
        parameters=[
            OpenApiParameter("enterprise", int, required=True),
            OpenApiParameter("categories", str, required=True, description="comma-separated category codes"),
            OpenApiParameter("days", str, required=True, description="comma-separated audit days, YYYY-MM-DD"),
        ],
        responses=CandidateSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def candidates(self, request):
        """Every active registered auditor measured against an audit, eligible first, with the reasons."""
        _keeper(request.user)
        query = CandidateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        enterprise = query.validated_data["enterprise"]
        if not Enterprise.objects.filter(pk=enterprise).exists():
            raise NotFound(NOT_FOUND)
        found = candidates(
            enterprise_id=enterprise,
            categories=query.validated_data["categories"],
            audit_days=query.validated_data["days"],
        )
        return Response(CandidateSerializer(found, many=True).data)


class _ChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None

    def _parse(self, request):
        """Validate a create body; a profile one may not see reads as one that does not exist."""
        _not_for_enterprises(request.user)
        data = self.get_serializer_class()(data=request.data)
        data.fields["profile"].queryset = profiles_for_user(request.user)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        _not_for_enterprises(self.request.user)
        qs = self.model.objects.filter(profile__in=profiles_for_user(self.request.user)).order_by("id")
        profile = self.request.query_params.get("profile")
        if profile and profile.isdigit():
            qs = qs.filter(profile_id=int(profile))
        return qs


class CompetenceViewSet(_ChildViewSet):
    """Competence per custom-goods category (keepers change it)."""

    model = Competence
    serializer_class = CompetenceSerializer

    def create(self, request):
        _keeper(request.user)
        data = self._parse(request)
        profile = get_profile_for_user(request.user, data["profile"].pk, keep=True)
        competence = services.competence_add(
            by=request.user,
            profile=profile,
            category=data["category"],
            granted_on=data.get("granted_on"),
            basis=data.get("basis", ""),
        )
        return Response(CompetenceSerializer(competence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OptionalReasonSerializer, responses=CompetenceSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        _not_for_enterprises(request.user)
        competence = get_competence_for_user(request.user, pk)
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competence = services.competence_remove(
            by=request.user, competence=competence, reason=data.validated_data["reason"]
        )
        return Response(CompetenceSerializer(competence).data)


class ConflictViewSet(_ChildViewSet):
    """Declared conflicts of interest, withdrawn ones included. The auditor declares his own; only a
    keeper withdraws."""

    model = ConflictDeclaration
    serializer_class = ConflictSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise")

    def create(self, request):
        _declarer(request.user)
        data = self._parse(request)
        profile = get_profile_for_user(request.user, data["profile"].pk, declare=True)
        conflict = services.conflict_declare(
            by=request.user,
            profile=profile,
            enterprise=data["enterprise"],
            until=data.get("until"),
            reason=data["reason"],
            today=_today(),
        )
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=ConflictSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        _not_for_enterprises(request.user)
        conflict = get_conflict_for_user(request.user, pk, withdraw=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = services.conflict_withdraw(by=request.user, conflict=conflict, reason=data.validated_data["reason"])
        return Response(ConflictSerializer(conflict).data)


class UnavailabilityViewSet(_ChildViewSet):
    """Days an auditor cannot audit (inclusive periods). The auditor records his own."""

    model = Unavailability
    serializer_class = UnavailabilitySerializer

    def create(self, request):
        _declarer(request.user)
        data = self._parse(request)
        profile = get_profile_for_user(request.user, data["profile"].pk, declare=True)
        period = services.unavailability_add(
            by=request.user,
            profile=profile,
            start=data["start"],
            end=data["end"],
            reason=data.get("reason", ""),
            today=_today(),
        )
        return Response(UnavailabilitySerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=UnavailabilitySerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        _not_for_enterprises(request.user)
        period = get_unavailability_for_user(request.user, pk, remove=True)
        return Response(UnavailabilitySerializer(services.unavailability_remove(by=request.user, period=period)).data)
