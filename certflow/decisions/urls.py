from django.urls import path

from certflow.decisions import views

urlpatterns = [
    path("", views.decision_queue_view, name="decision_queue"),
    path("open/", views.decision_open_view, name="decision_open"),
    path("<int:pk>/", views.decision_detail_view, name="decision_detail"),
    path("<int:pk>/members/", views.member_add_view, name="decision_member_add"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove_view, name="decision_member_remove"),
    path("<int:pk>/opinion/", views.opinion_view, name="decision_opinion"),
    path("<int:pk>/conclude/", views.conclude_view, name="decision_conclude"),
    path("<int:pk>/notice/", views.notice_view, name="decision_notice"),
    path("<int:pk>/dossier.pdf", views.dossier_pdf_view, name="decision_dossier_pdf"),
    path("<int:pk>/reapply/", views.reapply_view, name="decision_reapply"),
]
