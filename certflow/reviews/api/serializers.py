"""Serializers of the review API. Every field a workflow step changes is read-only here."""

from rest_framework import serializers

from certflow.reviews import domain
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, CorrectiveEvidence, DocumentReview, Nonconformity
from certflow.reviews.permissions import may_see_entries
from certflow.reviews.views.common import today


class ChecklistEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistEntry
        fields = ("item_id", "result", "note", "na_reason", "evidence", "evidence_page", "recorded_by", "recorded_at")
        read_only_fields = fields


class EntryWriteSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[c for c in domain.ChecklistResult.choices if c[0] in domain.ANSWERS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    na_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    evidence = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of a current material file of the application"
    )
    evidence_page = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)


class DocumentReviewSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    enterprise = serializers.IntegerField(source="application.enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="application.enterprise.name", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.full_name", read_only=True)

    class Meta:
        model = DocumentReview
        fields = (
            "id",
            "application",
            "application_reference",
            "enterprise",
            "enterprise_name",
            "reviewer",
            "reviewer_name",
            "status",
            "assigned_by",
            "assigned_at",
            "started_at",
            "completed_at",
            "completed_on",
            "passed_at",
            "summary",
            "report_generated_at",
        )
        read_only_fields = fields


class DocumentReviewDetailSerializer(DocumentReviewSerializer):
    entries = serializers.SerializerMethodField(help_text="null while the review is in progress, for the enterprise")
    nonconformities = serializers.SerializerMethodField()

    class Meta(DocumentReviewSerializer.Meta):
        fields = (*DocumentReviewSerializer.Meta.fields, "entries", "nonconformities")
        read_only_fields = fields

    def get_entries(self, obj) -> list[dict] | None:
        if not may_see_entries(self.context["request"].user, obj):
            return None
        return ChecklistEntrySerializer(obj.entries.all(), many=True).data

    def get_nonconformities(self, obj) -> list[int]:
        return [nc.pk for nc in obj.nonconformities.all()]


class AssignSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    reviewer = serializers.IntegerField(help_text="id of an active auditor or lead auditor")


class ReassignSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=10_000, help_text="审核结论 / the review's conclusion")


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectiveEvidence
        fields = ("id", "original_name", "kind", "content_type", "size", "sha256", "uploaded_at")
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = (
            "id",
            "nonconformity",
            "round",
            "cause_analysis",
            "correction",
            "corrective_action",
            "submitted_by",
            "submitted_at",
            "decision",
            "decided_by",
            "decided_at",
            "comment",
            "evidence",
        )
        read_only_fields = fields


class CorrectiveActionCreateSerializer(serializers.Serializer):
    nonconformity = serializers.IntegerField()
    cause_analysis = serializers.CharField(max_length=10_000)
    correction = serializers.CharField(max_length=10_000)
    corrective_action = serializers.CharField(max_length=10_000)
    files = serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class NonconformitySerializer(serializers.ModelSerializer):
    application_reference = serializers.SerializerMethodField(
        help_text="null for a surveillance nonconformity, raised on the certificate"
    )
    certificate_number = serializers.SerializerMethodField(help_text="set for a surveillance nonconformity")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Nonconformity
        fields = (
            "id",
            "number",
            "application",
            "application_reference",
            "certificate",
            "certificate_number",
            "audit",
            "stage",
            "review",
            "item_id",
            "grade",
            "description",
            "raised_at",
            "reported_on",
            "due_date",
            "due_provisional",
            "state",
            "overdue",
            "verified_by",
            "verified_at",
            "closed_reason",
        )
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return domain.is_overdue(obj.due_date, today(), obj.state)

    def get_application_reference(self, obj) -> str | None:
        return obj.application.reference if obj.application_id else None

    def get_certificate_number(self, obj) -> str | None:
        return obj.certificate.number if obj.certificate_id else None


class NonconformityDetailSerializer(NonconformitySerializer):
    actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta(NonconformitySerializer.Meta):
        fields = (*NonconformitySerializer.Meta.fields, "actions")
        read_only_fields = fields
