"""The REST API: /api/v1/ resources, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from certflow.accounts.api import EnterpriseViewSet, MeView, TokenView, UserViewSet
from certflow.applications.api import ApplicationViewSet, MaterialFileViewSet
from certflow.auditors.api import AuditorViewSet, CompetenceViewSet, ConflictViewSet, UnavailabilityViewSet
from certflow.audits.api.conduct import AuditConductViewSet, AuditFindingViewSet
from certflow.audits.api.planning import AuditViewSet
from certflow.certificates.api import CertificateViewSet, PublicCertificateView
from certflow.decisions import api as decisions_api
from certflow.lifecycle import api as lifecycle_api
from certflow.lifecycle.api import CaseViewSet, LapsedCertificateViewSet, LegacyImportViewSet, PublicComplaintView
from certflow.notifications.api import NotificationViewSet
from certflow.reporting import api as reporting_api
from certflow.reviews.api import CorrectiveActionViewSet, DocumentReviewViewSet, NonconformityViewSet
from certflow.surveillance import api as surveillance_api
from certflow.surveys.api import (
    ImportJobViewSet,
    ImprovementViewSet,
    InvitationViewSet,
    QuestionnaireViewSet,
    SurveyViewSet,
)
from certflow.surveys.api_results import SurveyResultsView

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("users", UserViewSet, basename="user")
router.register("applications", ApplicationViewSet, basename="application")
router.register("material-files", MaterialFileViewSet, basename="material-file")
router.register("document-reviews", DocumentReviewViewSet, basename="document-review")
router.register("nonconformities", NonconformityViewSet, basename="nonconformity")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-imports", ImportJobViewSet, basename="survey-import")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
router.register("survey-improvements", ImprovementViewSet, basename="survey-improvement")
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register("auditors", AuditorViewSet, basename="auditor")
router.register("auditor-competences", CompetenceViewSet, basename="auditor-competence")
router.register("auditor-conflicts", ConflictViewSet, basename="auditor-conflict")
router.register("auditor-unavailability", UnavailabilityViewSet, basename="auditor-unavailability")
router.register("audits", AuditViewSet, basename="audit")
router.register("audit-conduct", AuditConductViewSet, basename="audit-conduct")
router.register("audit-findings", AuditFindingViewSet, basename="audit-finding")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("legacy-imports", LegacyImportViewSet, basename="legacy-import")
router.register("lapsed-certificates", LapsedCertificateViewSet, basename="lapsed-certificate")
router.register("cases", CaseViewSet, basename="case")

# Later apps register themselves (each owns its routes) and may add non-router views.
app_patterns = []
for module in (decisions_api, surveillance_api, reporting_api, lifecycle_api):
    app_patterns += module.register(router)

urlpatterns = [
    path("v1/", include(app_patterns)),
    path("v1/survey-results/<int:pk>/", SurveyResultsView.as_view(), name="api-survey-results"),
    path("v1/public/certificates/<str:number>", PublicCertificateView.as_view(), name="api-public-certificate"),
    path("v1/public/complaints", PublicComplaintView.as_view(), name="api-public-complaints"),
    path("v1/", include(router.urls)),
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
