from django.urls import path

from certflow.certificates import views

urlpatterns = [
    path("", views.certificate_list_view, name="certificate_list"),
    path("export/", views.certificate_export_view, name="certificate_export"),
    path("<int:pk>/", views.certificate_detail_view, name="certificate_detail"),
    path("<int:pk>/certificate.pdf", views.certificate_pdf_view, name="certificate_pdf"),
    path("<int:pk>/reduce-scope/", views.certificate_reduce_scope_view, name="certificate_reduce_scope"),
    path("<int:pk>/<str:action>/", views.certificate_action_view, name="certificate_action"),
]
