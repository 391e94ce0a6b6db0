from django.urls import path

from certflow.surveillance import views

urlpatterns = [
    path("", views.programme_view, name="surveillance_programme"),
    path("certificates/<int:pk>/", views.certificate_view, name="surveillance_certificate"),
    path("certificates/<int:pk>/plan/", views.plan_view, name="surveillance_plan"),
]
