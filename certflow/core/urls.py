from django.urls import include, path

from certflow.accounts import views as accounts_views
from certflow.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("enterprise/", accounts_views.enterprise_home, name="enterprise_home"),
    path("events/", views.event_list, name="event_list"),
    path("events/verify/", views.event_verify, name="event_verify"),
    path("calendar/", views.workday_calendar, name="workday_calendar"),
    # No trailing slash: load balancers and certflow/core/middleware.py probe exactly "/healthz".
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
