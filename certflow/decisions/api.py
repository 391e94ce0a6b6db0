"""The decision API (/api/v1/decisions/): the same selectors, permissions and services as the pages.

A RuleViolation becomes a 400 with its Chinese and English message (certflow.core.api.exception_handler).
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certflow.accounts.models import User
from certflow.accounts.permissions import NOT_FOUND
from certflow.applications.models import Application
from certflow.certificates.api import PDFRenderer
from certflow.core.files import download_response
from certflow.decisions import selectors, services
from certflow.decisions.domain import DecisionStatus
from certflow.decisions.models import CommitteeMember
from certflow.decisions.permissions import (
    check_holder,
    check_member,
    check_runner,
    decisions_for_user,
    get_decision_for_user,
)
from certflow.decisions.reapply import reapply
from certflow.decisions.serializers import (
    DecisionDetailSerializer,
    DecisionMemberAddSerializer,
    DecisionMemberRemoveSerializer,
    DecisionOpenSerializer,
    DecisionOpinionResultSerializer,
    DecisionOpinionSerializer,
    DecisionSerializer,
)


class DecisionReapplySerializer(DecisionOpenSerializer):
    """The new draft application (id) made for the re-application."""


class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """认证决定. Programme managers and administrators: all, and they run them; committee members: those
    they sit on; the enterprise: its own decided ones, without the committee part; others: nothing."""

    serializer_class = DecisionSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status", "")
        status = status if status in DecisionStatus.values else ""
        return selectors.decision_list(decisions_for_user(self.request.user), status=status)

    def get_serializer_class(self):
        return DecisionDetailSerializer if self.action != "list" else DecisionSerializer

    def get_object(self):
        return get_decision_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, decision, status=200):
        decision = get_decision_for_user(self.request.user, decision.pk)
        return Response(DecisionDetailSerializer(decision, context={"request": self.request}).data, status=status)

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=DecisionStatus.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DecisionOpenSerializer, responses={201: DecisionDetailSerializer})
    @action(detail=False, methods=["post"])
    def open(self, request):
        """Open the decision of an application whose on-site audit passed (or whose corrections are overdue)."""
        check_runner(request.user)
        data = DecisionOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            application = Application.objects.get(pk=data.validated_data["application"])
        except Application.DoesNotExist:
            raise Http404(NOT_FOUND) from None
        decision = services.decision_open(by=request.user, application=application)
        return self._detail(decision, status=201)

    @extend_schema(request=DecisionMemberAddSerializer, responses={201: DecisionDetailSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Seat a technical committee member (refused, with the reasons, if he may not sit)."""
        decision = get_decision_for_user(request.user, pk, run=True)
        data = DecisionMemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = User.objects.get(pk=data.validated_data["user"], is_active=True)
        except User.DoesNotExist:
            raise Http404(NOT_FOUND) from None
        services.member_add(by=request.user, decision=decision, user=user)
        return self._detail(decision, status=201)

    @extend_schema(request=DecisionMemberRemoveSerializer, responses=DecisionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="members/remove")
    def remove_member(self, request, pk=None):
        """A member leaves the committee, with the reason; his opinion stays on file but no longer counts."""
        decision = get_decision_for_user(request.user, pk, run=True)
        data = DecisionMemberRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            member = CommitteeMember.objects.get(pk=data.validated_data["member"], decision=decision)
        except CommitteeMember.DoesNotExist:
            raise Http404(NOT_FOUND) from None
        services.member_remove(by=request.user, member=member, reason=data.validated_data["reason"])
        return self._detail(decision)

    @extend_schema(request=DecisionOpinionSerializer, responses=DecisionOpinionResultSerializer)
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        """The caller's own vote and reasoning; `impartial` is his declaration, required at the first vote."""
        decision = get_decision_for_user(request.user, pk)
        check_member(request.user, decision)
        data = DecisionOpinionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opinion = services.opinion_record(by=request.user, decision=decision, **data.validated_data)
        return Response(DecisionOpinionResultSerializer(opinion).data)

    @extend_schema(request=None, responses=DecisionDetailSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """Take the decision the votes give under the scheme's committee rule."""
        decision = get_decision_for_user(request.user, pk, run=True)
        decision = services.decision_conclude(by=request.user, decision=decision)
        return self._detail(decision)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="no refusal notice (not refused, or not yours)"),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer])
    def notice(self, request, pk=None):
        """The refusal notice (不予认证通知书) exactly as the enterprise received it."""
        decision = get_decision_for_user(request.user, pk)
        if decision.status != DecisionStatus.REFUSED or not decision.notice_storage_name:
            raise Http404(NOT_FOUND)
        return download_response(
            decision.notice_storage_name,
            filename=f"不予认证通知书_{decision.application.reference}.pdf",
            content_type="application/pdf",
        )

    @extend_schema(request=None, responses={201: DecisionReapplySerializer})
    @action(detail=True, methods=["post"])
    def reapply(self, request, pk=None):
        """The enterprise applies again after a refusal: a new draft with the last scope copied in."""
        decision = get_decision_for_user(request.user, pk)
        check_holder(request.user)
        application = reapply(by=request.user, decision=decision)
        return Response({"application": application.pk}, status=201)


def register(router) -> list:
    """Register viewsets on the shared router; return extra url patterns (non-router views)."""
    router.register("decisions", DecisionViewSet, basename="decision")
    return []
