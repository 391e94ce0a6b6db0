from django.urls import path

from certflow.reviews.views import nonconformities, reviews

urlpatterns = [
    path("", reviews.review_list_view, name="review_list"),
    path("assign/<int:application_pk>/", reviews.review_assign_view, name="review_assign"),
    path("<int:pk>/", reviews.review_detail_view, name="review_detail"),
    path("<int:pk>/entries/<str:item_id>/", reviews.review_entry_save, name="review_entry_save"),
    path("<int:pk>/complete/", reviews.review_complete_view, name="review_complete"),
    path("<int:pk>/report.pdf", reviews.review_report_view, name="review_report"),
    path("<int:pk>/materials/<int:file_pk>/", reviews.review_material_download, name="review_material_download"),
    path("nonconformities/", nonconformities.nonconformity_list_view, name="nonconformity_list"),
    path(
        "applications/<int:application_pk>/nonconformities/",
        nonconformities.nonconformity_list_view,
        name="application_nonconformities",
    ),
    path("nonconformities/<int:pk>/", nonconformities.nonconformity_detail_view, name="nonconformity_detail"),
    path(
        "nonconformities/<int:pk>/actions/",
        nonconformities.corrective_action_submit_view,
        name="corrective_action_submit",
    ),
    path("actions/<int:pk>/accept/", nonconformities.corrective_action_accept_view, name="corrective_action_accept"),
    path(
        "actions/<int:pk>/accept-plan/",
        nonconformities.corrective_action_accept_plan_view,
        name="corrective_action_accept_plan",
    ),
    path("actions/<int:pk>/return/", nonconformities.corrective_action_return_view, name="corrective_action_return"),
    path("evidence/<int:pk>/", nonconformities.corrective_evidence_download, name="corrective_evidence_download"),
]
