"""API shapes of the certification decision. The detail is built from the same view data as the page
(selectors.dossier_view, seats, tally_view); the committee part is left out (null) for the enterprise."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certflow.decisions import selectors
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import Decision
from certflow.decisions.permissions import sees_inside

Reasons = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class DecisionSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    certificate_number = serializers.CharField(source="certificate.number", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=DecisionStatus.choices, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "application",
            "application_reference",
            "enterprise",
            "enterprise_name",
            "status",
            "opened_at",
            "decided_on",
            "score",
            "grade_code",
            "certificate",
            "certificate_number",
        ]
        read_only_fields = fields


class DecisionConditionSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()
    ok = serializers.BooleanField()


class DecisionReviewSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    reviewer = serializers.CharField()
    completed_on = serializers.CharField()
    passed_at = serializers.CharField()


class DecisionTeamMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()


class DecisionAuditSerializer(serializers.Serializer):
    reference = serializers.CharField()
    type = serializers.CharField()
    type_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    days = serializers.ListField(child=serializers.CharField())
    passed_at = serializers.CharField()
    team = DecisionTeamMemberSerializer(many=True)


class DecisionNonconformitySerializer(serializers.Serializer):
    number = serializers.CharField()
    stage = serializers.CharField()
    item = serializers.CharField()
    grade = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    due_date = serializers.CharField()
    verified_at = serializers.CharField()


class DecisionSurveySerializer(serializers.Serializer):
    round = serializers.IntegerField()
    answered = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    passed = serializers.BooleanField(allow_null=True)
    share = serializers.CharField(help_text="satisfied / answered, 4 decimals; empty without answers")
    interval = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="95 % Wilson interval [low, high]"
    )


class DecisionDossierSerializer(serializers.Serializer):
    frozen = serializers.BooleanField(help_text="true once decided: the dossier as the committee saw it")
    review = DecisionReviewSerializer(allow_null=True)
    audits = DecisionAuditSerializer(many=True)
    nonconformities = DecisionNonconformitySerializer(many=True)
    survey = DecisionSurveySerializer(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.IntegerField()
    grade_code = serializers.CharField(allow_null=True)
    grade_name = serializers.CharField()
    grading_label = serializers.CharField()
    grading_is_default = serializers.BooleanField()
    preconditions = DecisionConditionSerializer(many=True)
    grant_problems = Reasons
    grantable = serializers.BooleanField()


class DecisionMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="member.pk")
    user = serializers.IntegerField(source="member.user_id")
    name = serializers.CharField(source="member.user.full_name")
    email = serializers.CharField(source="member.user.email")
    impartiality_declared_at = serializers.DateTimeField(source="member.impartiality_declared_at", allow_null=True)
    removed_at = serializers.DateTimeField(source="member.removed_at", allow_null=True)
    removed_reason = serializers.CharField(source="member.removed_reason")
    vote = serializers.ChoiceField(choices=Vote.choices, source="opinion.vote", allow_null=True, default=None)
    reasoning = serializers.CharField(source="opinion.reasoning", allow_null=True, default=None)


class DecisionTallySerializer(serializers.Serializer):
    votes_for = serializers.IntegerField(source="for")
    votes_against = serializers.IntegerField(source="against")
    cast = serializers.IntegerField()
    quorum = serializers.IntegerField()
    quorate = serializers.BooleanField()
    outcome = serializers.CharField(allow_null=True, help_text="what concluding now would give")


class DecisionCommitteeSerializer(serializers.Serializer):
    rule = serializers.CharField()
    rule_en = serializers.CharField()
    members = DecisionMemberSerializer(many=True)
    tally = DecisionTallySerializer()


class DecisionDetailSerializer(DecisionSerializer):
    reasons = Reasons
    notice_sha256 = serializers.CharField(read_only=True)
    dossier = serializers.SerializerMethodField()
    committee = serializers.SerializerMethodField()

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "reasons", "notice_sha256", "dossier", "committee"]
        read_only_fields = fields

    def _view(self, decision) -> dict:
        if not hasattr(self, "_cached_view"):
            self._cached_view = selectors.dossier_view(decision)
        return self._cached_view

    @extend_schema_field(DecisionDossierSerializer)
    def get_dossier(self, decision) -> dict:
        return DecisionDossierSerializer(self._view(decision)).data

    @extend_schema_field(DecisionCommitteeSerializer(allow_null=True))
    def get_committee(self, decision) -> dict | None:
        user = self.context["request"].user
        if not sees_inside(user):
            return None
        view = self._view(decision)
        seats = selectors.seats(decision)
        current = [s for s in seats if s.member.removed_at is None]
        return DecisionCommitteeSerializer(
            {
                "rule": view["committee_rule"],
                "rule_en": view["committee_rule_en"],
                "members": seats,
                "tally": selectors.tally_view(decision, current),
            }
        ).data


class DecisionOpenSerializer(serializers.Serializer):
    application = serializers.IntegerField()


class DecisionMemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField()


class DecisionMemberRemoveSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="the seat id (committee.members[].id)")
    reason = serializers.CharField(max_length=2000)


class DecisionOpinionSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Vote.choices)
    reasoning = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    impartial = serializers.BooleanField(
        required=False, default=False, help_text="the impartiality declaration; required at the first vote"
    )


class DecisionOpinionResultSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Vote.choices)
    reasoning = serializers.CharField()
    revision = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
