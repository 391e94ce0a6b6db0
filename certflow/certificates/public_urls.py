from django.urls import path

from certflow.certificates import public_views

urlpatterns = [
    path("", public_views.verify_search, name="verify_search"),
    path("c/<str:number>/", public_views.verify_certificate, name="verify_certificate"),
    path("key/", public_views.verify_key, name="verify_key"),
]
