from django.urls import path

from certflow.reporting import views

urlpatterns = [
    path("monthly/", views.monthly_view, name="report_monthly"),
    path("monthly/<str:month>.xlsx", views.monthly_xlsx_view, name="report_monthly_xlsx"),
]
