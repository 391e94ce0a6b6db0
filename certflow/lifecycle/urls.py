from django.urls import path

from certflow.lifecycle import views_cases, views_changes, views_legacy, views_public

urlpatterns = [
    path("legacy/", views_legacy.legacy_overview, name="legacy_overview"),
    path("legacy/imports/<int:pk>/", views_legacy.legacy_import_detail, name="legacy_import_detail"),
    path("legacy/lapsed/", views_legacy.lapsed_report, name="lapsed_report"),
    path("cases/", views_cases.case_list_view, name="case_list"),
    path("cases/<int:pk>/", views_cases.case_detail_view, name="case_detail"),
    path("cases/<int:pk>/<slug:action>/", views_cases.case_action_view, name="case_action"),
    path("appeals/new/", views_cases.appeal_new_view, name="appeal_new"),
    path("complaints/new/", views_public.complaint_new_view, name="complaint_new"),
    path("complaints/track/", views_public.complaint_track_view, name="complaint_track"),
    path("changes/", views_changes.change_list_view, name="change_list"),
    path("changes/new/", views_changes.change_new_view, name="change_new"),
    path("changes/<int:pk>/", views_changes.change_detail_view, name="change_detail"),
    path("changes/<int:pk>/assess/", views_changes.change_assess_view, name="change_assess"),
    path("events/", views_changes.event_list_view, name="major_event_list"),
    path("events/new/", views_changes.event_new_view, name="major_event_new"),
    path("events/<int:pk>/", views_changes.event_detail_view, name="major_event_detail"),
    path("events/<int:pk>/resolve/", views_changes.event_resolve_view, name="major_event_resolve"),
]
