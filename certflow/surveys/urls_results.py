from django.urls import path

from certflow.surveys import views_results

urlpatterns = [
    path("<int:pk>/results/", views_results.survey_results_view, name="survey_results"),
    path("<int:pk>/report.pdf", views_results.survey_report_view, name="survey_report"),
]
