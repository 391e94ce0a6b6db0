from django.urls import path

from certflow.auditors import views

urlpatterns = [
    path("", views.register_list_view, name="auditor_list"),
    path("new/", views.profile_create_view, name="auditor_create"),
    path("me/", views.my_profile_view, name="auditor_me"),
    path("<int:pk>/", views.profile_detail_view, name="auditor_detail"),
    path("<int:pk>/edit/", views.profile_edit_view, name="auditor_edit"),
    path("<int:pk>/competences/", views.competence_add_view, name="auditor_competence_add"),
    path("<int:pk>/conflicts/", views.conflict_declare_view, name="auditor_conflict_declare"),
    path("<int:pk>/unavailability/", views.unavailability_add_view, name="auditor_unavailability_add"),
    path("competences/<int:pk>/remove/", views.competence_remove_view, name="auditor_competence_remove"),
    path("conflicts/<int:pk>/withdraw/", views.conflict_withdraw_view, name="auditor_conflict_withdraw"),
    path("unavailability/<int:pk>/remove/", views.unavailability_remove_view, name="auditor_unavailability_remove"),
]
