from django.urls import include, path

from certflow.surveys.views import calls, pages

urlpatterns = [
    path("", pages.survey_list_view, name="survey_list"),
    path("application/<int:application_pk>/", pages.application_survey_view, name="survey_for_application"),
    path("new/<int:application_pk>/", pages.survey_create_view, name="survey_create"),
    path("<int:pk>/", pages.survey_detail_view, name="survey_detail"),
    path("<int:pk>/upload/", pages.survey_upload_view, name="survey_upload"),
    path("<int:pk>/customers/", pages.customer_list_view, name="survey_customers"),
    path("<int:pk>/draw/", pages.survey_draw_view, name="survey_draw"),
    path("<int:pk>/open/", pages.survey_open_view, name="survey_open"),
    path("<int:pk>/send/", pages.survey_send_view, name="survey_send"),
    path("<int:pk>/close/", pages.survey_close_view, name="survey_close"),
    path("<int:pk>/resurvey/", pages.survey_resurvey_view, name="survey_resurvey"),
    path("<int:pk>/improvement/", pages.improvement_submit_view, name="survey_improvement"),
    path("<int:pk>/calls/", calls.call_list_view, name="survey_calls"),
    path("<int:pk>/responses/", calls.response_list_view, name="survey_responses"),
    path("invitations/<int:pk>/call/", calls.call_record_view, name="survey_call"),
    path("imports/<int:pk>/", pages.import_detail_view, name="survey_import"),
    path("improvements/<int:pk>/review/", pages.improvement_review_view, name="survey_improvement_review"),
    path("", include("certflow.surveys.urls_results")),
]
