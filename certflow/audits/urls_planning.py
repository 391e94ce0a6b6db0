from django.urls import path

from certflow.audits.views import planning as views

urlpatterns = [
    path("", views.audit_list_view, name="audit_list"),
    path("special/new/", views.audit_special_create_view, name="audit_special_new"),
    path("new/<int:application_pk>/", views.audit_create_view, name="audit_create"),
    path("<int:pk>/", views.audit_detail_view, name="audit_detail"),
    path("<int:pk>/dates/", views.audit_dates_view, name="audit_dates"),
    path("<int:pk>/plan/", views.audit_plan_view, name="audit_plan"),
    path("<int:pk>/plan/dates/", views.audit_propose_view, name="audit_propose_dates"),
    path("<int:pk>/plan/dates/<int:proposal_pk>/accept/", views.audit_accept_counter_view, name="audit_accept_counter"),
    path("<int:pk>/plan/notice-date/", views.audit_notice_date_view, name="audit_notice_date"),
    path("<int:pk>/plan/team/", views.audit_team_view, name="audit_team"),
    path("<int:pk>/plan/sites/", views.audit_site_add_view, name="audit_site_add"),
    path("<int:pk>/plan/sites/<int:site_pk>/remove/", views.audit_site_remove_view, name="audit_site_remove"),
    path("<int:pk>/plan/schedule/", views.audit_slot_add_view, name="audit_slot_add"),
    path("<int:pk>/plan/schedule/<int:slot_pk>/remove/", views.audit_slot_remove_view, name="audit_slot_remove"),
    path("<int:pk>/plan/notice/", views.audit_notice_send_view, name="audit_send_notice"),
    path("<int:pk>/cancel/", views.audit_cancel_view, name="audit_cancel"),
    path("<int:pk>/notices/<int:notice_pk>/", views.audit_notice_download_view, name="audit_notice_download"),
]
