from django.urls import path

from certflow.audits.views import conduct as views

urlpatterns = [
    path("<int:pk>/checklist/", views.audit_checklist_view, name="audit_checklist"),
    path("<int:pk>/start/", views.audit_start_view, name="audit_start"),
    path("<int:pk>/findings/<str:item_id>/", views.audit_finding_save_view, name="audit_finding_save"),
    path("<int:pk>/findings/<str:item_id>/files/", views.audit_finding_file_view, name="audit_finding_file_add"),
    path(
        "<int:pk>/findings/<str:item_id>/nonconformity/",
        views.audit_nonconformity_raise_view,
        name="audit_nonconformity_raise",
    ),
    path("<int:pk>/files/<int:file_pk>/", views.audit_finding_file_download, name="audit_finding_file"),
    path("<int:pk>/closing/", views.audit_closing_view, name="audit_closing"),
    path(
        "<int:pk>/nonconformities/<int:nc_pk>/confirm/",
        views.audit_nonconformity_confirm_view,
        name="audit_nonconformity_confirm",
    ),
    path("<int:pk>/pass/", views.audit_pass_view, name="audit_pass"),
    path("<int:pk>/report.pdf", views.audit_report_view, name="audit_report"),
]
