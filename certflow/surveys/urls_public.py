"""The one-time questionnaire link, outside /surveys/ so it is short in an SMS."""

from django.urls import path

from certflow.surveys.views.public import questionnaire_view

urlpatterns = [path("<str:token>/", questionnaire_view, name="survey_questionnaire")]
