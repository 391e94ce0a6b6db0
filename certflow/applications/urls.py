from django.urls import path

from certflow.applications import views, views_clerk, views_enterprise

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views_enterprise.application_new, name="application_new"),
    path("acceptance/", views_clerk.queue, name="acceptance_queue"),
    path("files/<int:file_pk>/download/", views.material_file_download, name="material_file_download"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    # The enterprise's wizard (POST only; each answers with a redirect or the page with the refusal).
    path("<int:pk>/details/", views_enterprise.details_save, name="application_details_save"),
    path("<int:pk>/sites/", views_enterprise.site_add, name="application_site_add"),
    path("<int:pk>/sites/<int:site_pk>/remove/", views_enterprise.site_remove, name="application_site_remove"),
    path(
        "<int:pk>/materials/<slug:code>/upload/", views_enterprise.material_upload, name="application_material_upload"
    ),
    path("<int:pk>/files/<int:file_pk>/withdraw/", views_enterprise.file_withdraw, name="application_file_withdraw"),
    path("<int:pk>/declaration/", views_enterprise.declaration_save, name="application_declaration_save"),
    path("<int:pk>/submit/", views_enterprise.submit, name="application_submit"),
    path("<int:pk>/resubmit/", views_enterprise.resubmit, name="application_resubmit"),
    path("<int:pk>/withdraw/", views_enterprise.withdraw, name="application_withdraw"),
    # The acceptance clerk's decisions (clause 6 申请受理 2).
    path("<int:pk>/accept/", views_clerk.accept, name="application_accept"),
    path("<int:pk>/request-supplement/", views_clerk.request_supplement, name="application_request_supplement"),
    path("<int:pk>/not-accept/", views_clerk.not_accept, name="application_not_accept"),
]
