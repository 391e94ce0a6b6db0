"""API: a user's own notifications, and marking them read. Register with
`router.register("notifications", NotificationViewSet, basename="notification")`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certflow.notifications.models import Notification
from certflow.notifications.permissions import get_notification_for_user
from certflow.notifications.selectors import notifications_for_user, unread_count
from certflow.notifications.services import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "url", "enterprise", "created_at", "read_at", "is_read")
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="the notifications to mark read; leave out to mark all of yours",
    )


MarkReadResult = inline_serializer(
    "MarkReadResult", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your notifications (通知), newest first. Nobody sees anyone else's: another user's id is a 404."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        unread_only = self.request.query_params.get("unread") in ("1", "true")
        return notifications_for_user(self.request.user, unread_only=unread_only)

    def get_object(self):
        return get_notification_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread notifications")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MarkReadSerializer, responses=MarkReadResult, operation_id="v1_notifications_mark_read")
    @action(detail=False, methods=["post"], url_path="mark-read", url_name="mark-read")
    def mark_read(self, request):
        """Mark some (`ids`) or all of your unread notifications as read."""
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": unread_count(request.user)})

    @extend_schema(request=None, responses=NotificationSerializer, operation_id="v1_notifications_mark_read_one")
    @action(detail=True, methods=["post"], url_path="mark-read", url_name="mark-read-one")
    def mark_read_one(self, request, pk=None):
        """Mark this notification as read."""
        notification = self.get_object()
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
