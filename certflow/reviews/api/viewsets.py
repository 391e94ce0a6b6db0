"""Viewsets of the review API: parse → permission helper → one service call, as the pages do."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certflow.accounts.models import User
from certflow.accounts.permissions import NOT_FOUND
from certflow.applications.models import MaterialFile
from certflow.core.api_schema import stored_file_responses
from certflow.core.files import content_disposition, download_response
from certflow.core.rules import RuleViolation
from certflow.reviews import domain, services
from certflow.reviews.api.serializers import (
    AssignSerializer,
    ChecklistEntrySerializer,
    CompleteSerializer,
    CorrectiveActionCreateSerializer,
    CorrectiveActionSerializer,
    DecisionSerializer,
    DocumentReviewDetailSerializer,
    DocumentReviewSerializer,
    EntryWriteSerializer,
    NonconformityDetailSerializer,
    NonconformitySerializer,
    ReassignSerializer,
)
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, CorrectiveEvidence, Nonconformity
from certflow.reviews.permissions import (
    check_answerer,
    check_assigner,
    get_application_for_assigner,
    get_corrective_action_for_user,
    get_nonconformity_for_user,
    get_review_for_user,
    may_see_entries,
)
from certflow.reviews.report import review_report_pdf
from certflow.reviews.selectors import (
    corrective_actions_for_user,
    nonconformity_detail,
    nonconformity_list,
    review_detail,
    review_list,
)
from certflow.reviews.views.common import today

ITEM_ID = r"[0-9]+(?:\.[0-9]+)*-[0-9]+"


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class AnyFileRenderer(PDFRenderer):
    """Lets a download answer whatever the client accepts; the file keeps its recorded content type."""

    media_type = "*/*"
    format = "file"


def _user(pk) -> User:
    try:
        return User.objects.get(pk=pk)
    except User.DoesNotExist:
        raise RuleViolation("未找到该审核员", "no such user", "unknown_reviewer") from None


class DocumentReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Document reviews (文件审核). Create = assign a reviewer to an accepted application (clerk or
    programme manager). Entries are recorded one item at a time by the assigned reviewer."""

    serializer_class = DocumentReviewSerializer

    def get_queryset(self):
        return review_list(self.request.user, status=self.request.query_params.get("status", ""))

    def get_object(self):
        review = get_review_for_user(self.request.user, self.kwargs["pk"])
        return review_detail(review.pk)

    def get_serializer_class(self):
        return DocumentReviewDetailSerializer if self.action == "retrieve" else DocumentReviewSerializer

    @extend_schema(request=AssignSerializer, responses={201: DocumentReviewDetailSerializer})
    def create(self, request):
        check_assigner(request.user)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = get_application_for_assigner(request.user, data.validated_data["application"])
        review = services.review_assign(
            by=request.user, application=application, reviewer=_user(data.validated_data["reviewer"])
        )
        body = DocumentReviewDetailSerializer(review_detail(review.pk), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReassignSerializer, responses=DocumentReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        review = get_review_for_user(request.user, pk)
        get_application_for_assigner(request.user, review.application_id)
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_reassign(
            by=request.user,
            review=review,
            reviewer=_user(data.validated_data["reviewer"]),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(DocumentReviewDetailSerializer(review_detail(review.pk), context={"request": request}).data)

    @extend_schema(
        request=EntryWriteSerializer,
        responses=ChecklistEntrySerializer,
        parameters=[OpenApiParameter("item_id", str, OpenApiParameter.PATH, description="e.g. 4.3.2-1")],
    )
    @action(detail=True, methods=["patch"], url_path=f"entries/(?P<item_id>{ITEM_ID})")
    def entries(self, request, pk=None, item_id=None):
        review = get_review_for_user(request.user, pk, write=True)
        existing = ChecklistEntry.objects.filter(review=review, item_id=item_id).first()
        current = {
            "result": getattr(existing, "result", None),
            "note": getattr(existing, "note", ""),
            "na_reason": getattr(existing, "na_reason", ""),
            "evidence": getattr(existing, "evidence_id", None),
            "evidence_page": getattr(existing, "evidence_page", None),
        }
        data = EntryWriteSerializer(data={k: v for k, v in {**current, **request.data}.items() if v is not None})
        data.is_valid(raise_exception=True)
        values = {**{"note": "", "na_reason": "", "evidence": None, "evidence_page": None}, **data.validated_data}
        evidence = None
        if values["evidence"] is not None:
            evidence = MaterialFile.objects.filter(pk=values["evidence"], application_id=review.application_id).first()
            if evidence is None:
                raise RuleViolation(
                    "证据文件须为本申请的申请材料文件", "the evidence must be a material file of this application"
                )
        entry = services.checklist_record(
            by=request.user,
            review=review,
            item_id=item_id,
            result=values["result"],
            note=values["note"],
            na_reason=values["na_reason"],
            evidence=evidence,
            evidence_page=values["evidence_page"],
        )
        return Response(ChecklistEntrySerializer(entry).data)

    @extend_schema(request=CompleteSerializer, responses=DocumentReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        review = get_review_for_user(request.user, pk, write=True)
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_complete(by=request.user, review=review, summary=data.validated_data["summary"], today=today())
        return Response(DocumentReviewDetailSerializer(review_detail(review.pk), context={"request": request}).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def report(self, request, pk=None):
        review = get_review_for_user(request.user, pk)
        if not may_see_entries(request.user, review):
            raise Http404(NOT_FOUND)
        response = HttpResponse(review_report_pdf(review_detail(review.pk)), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(f"文件审核报告_{review.application.reference}.pdf")
        response["Cache-Control"] = "private, no-store"
        return response


class NonconformityViewSet(viewsets.ReadOnlyModelViewSet):
    """Nonconformities (不符合项) of every stage, filtered by `application`, `state`."""

    serializer_class = NonconformitySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("application", int, description="application id"),
            OpenApiParameter("certificate", int, description="certificate id (surveillance nonconformities)"),
            OpenApiParameter("state", str, enum=domain.NonconformityState.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        application = self.request.query_params.get("application")
        certificate = self.request.query_params.get("certificate")
        if any(value is not None and not value.isdigit() for value in (application, certificate)):
            return Nonconformity.objects.none()
        return nonconformity_list(
            self.request.user,
            application=int(application) if application else None,
            certificate=int(certificate) if certificate else None,
            state=self.request.query_params.get("state", ""),
        )

    def get_object(self):
        return nonconformity_detail(get_nonconformity_for_user(self.request.user, self.kwargs["pk"]).pk)

    def get_serializer_class(self):
        return NonconformityDetailSerializer if self.action == "retrieve" else NonconformitySerializer


class CorrectiveActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Corrective-action reports (整改报告): created by the enterprise's users (multipart for files);
    accepted or returned by the nonconformity's verifier (the assigned reviewer)."""

    serializer_class = CorrectiveActionSerializer

    def get_queryset(self):
        qs = corrective_actions_for_user(self.request.user).prefetch_related("evidence").order_by("id")
        nonconformity = self.request.query_params.get("nonconformity")
        if nonconformity:
            qs = qs.filter(nonconformity_id=nonconformity) if nonconformity.isdigit() else qs.none()
        return qs

    def get_object(self):
        action = get_corrective_action_for_user(self.request.user, self.kwargs["pk"])
        return CorrectiveAction.objects.prefetch_related("evidence").get(pk=action.pk)

    @extend_schema(
        parameters=[OpenApiParameter("nonconformity", int, description="nonconformity id")],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CorrectiveActionCreateSerializer, responses={201: CorrectiveActionSerializer})
    def create(self, request):
        check_answerer(request.user)
        data = CorrectiveActionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        nonconformity = get_nonconformity_for_user(request.user, values["nonconformity"], answer=True)
        action = services.corrective_action_submit(
            by=request.user,
            nonconformity=nonconformity,
            cause_analysis=values["cause_analysis"],
            correction=values["correction"],
            corrective_action=values["corrective_action"],
            files=values.get("files", []),
        )
        body = CorrectiveActionSerializer(CorrectiveAction.objects.prefetch_related("evidence").get(pk=action.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _decided(self, action):
        return Response(
            CorrectiveActionSerializer(CorrectiveAction.objects.prefetch_related("evidence").get(pk=action.pk)).data
        )

    @extend_schema(request=DecisionSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        corrective = get_corrective_action_for_user(request.user, pk, decide=True)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.corrective_action_accept(
            by=request.user, action=corrective, comment=data.validated_data.get("comment", "")
        )
        return self._decided(corrective)

    @extend_schema(request=DecisionSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"], url_path="accept-plan", url_name="accept-plan")
    def accept_plan(self, request, pk=None):
        """On-site minor nonconformities: accept the correction plan (整改计划已接受); verified later."""
        corrective = get_corrective_action_for_user(request.user, pk, decide=True)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.corrective_action_accept_plan(
            by=request.user, action=corrective, comment=data.validated_data.get("comment", "")
        )
        return self._decided(corrective)

    @extend_schema(request=DecisionSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        corrective = get_corrective_action_for_user(request.user, pk, decide=True)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.corrective_action_return(
            by=request.user, action=corrective, comment=data.validated_data.get("comment", "")
        )
        return self._decided(corrective)

    @extend_schema(
        responses=stored_file_responses("the evidence file, with the type recorded at upload"),
        parameters=[OpenApiParameter("file_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]+)",
        renderer_classes=[renderers.JSONRenderer, AnyFileRenderer],
    )
    def files(self, request, pk=None, file_id=None):
        corrective = get_corrective_action_for_user(request.user, pk)
        evidence = CorrectiveEvidence.objects.filter(pk=file_id, action=corrective).first()
        if evidence is None:
            raise Http404(NOT_FOUND)
        return download_response(
            evidence.storage_name, filename=evidence.original_name, content_type=evidence.content_type
        )
