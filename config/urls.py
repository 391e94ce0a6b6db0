from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "欧利斯认证 · certflow 后台"
admin.site.site_title = "certflow"

# Pages keep Django's HTML 400/404; under /api/ an unknown address or a request Django refuses before
# any view (too many fields, too much data) answers JSON like the rest of the API.
handler400 = "certflow.core.api.bad_request"
handler404 = "certflow.core.api.not_found"

urlpatterns = [
    path("", include("certflow.core.urls")),
    path("accounts/", include("certflow.accounts.urls")),
    path("notifications/", include("certflow.notifications.urls")),
    path("reviews/", include("certflow.reviews.urls")),
    path("applications/", include("certflow.applications.urls")),
    path("auditors/", include("certflow.auditors.urls")),
    path("audits/", include("certflow.audits.urls")),
    path("surveys/", include("certflow.surveys.urls")),
    path("s/", include("certflow.surveys.urls_public")),
    path("certificates/", include("certflow.certificates.urls")),
    path("verify/", include("certflow.certificates.public_urls")),
    path("lifecycle/", include("certflow.lifecycle.urls")),
    path("decisions/", include("certflow.decisions.urls")),
    path("surveillance/", include("certflow.surveillance.urls")),
    path("reports/", include("certflow.reporting.urls")),
    path("api/", include("certflow.core.api_urls")),
    path("admin/", admin.site.urls),
]
