"""The REST API: /api/v1/ resources, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from certflow.accounts.api import EnterpriseViewSet, MeView, TokenView, UserViewSet
from certflow.applications.api import ApplicationViewSet, MaterialFileViewSet
from certflow.notifications.api import NotificationViewSet
from certflow.reviews.api import CorrectiveActionViewSet, DocumentReviewViewSet, NonconformityViewSet

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("users", UserViewSet, basename="user")
router.register("applications", ApplicationViewSet, basename="application")
router.register("material-files", MaterialFileViewSet, basename="material-file")
router.register("document-reviews", DocumentReviewViewSet, basename="document-review")
router.register("nonconformities", NonconformityViewSet, basename="nonconformity")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
