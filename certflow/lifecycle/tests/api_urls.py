"""The site's URLs plus the lifecycle's API routes, for tests, until certflow/core/api_urls.py calls
`certflow.lifecycle.api.register` (then the site's own routes answer first and these are never reached)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from certflow.lifecycle.api import register
from config.urls import urlpatterns as site

router = SimpleRouter()
register(router)

urlpatterns = [*site, path("api/v1/", include(router.urls))]
