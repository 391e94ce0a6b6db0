from django.urls import include, path

# Planning (dates, team, notice) and conduct (checklist, findings, closing meeting) are built apart.
urlpatterns = [
    path("", include("certflow.audits.urls_planning")),
    path("", include("certflow.audits.urls_conduct")),
]
