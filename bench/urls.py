"""The product's URLs plus /bench/constant/: the same middleware stack, gunicorn and workers as the
verification endpoints, but a view that touches neither the database nor a template. The ratio of a
lookup to it is what the database and rendering cost under load."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as product_urlpatterns


@require_GET
@never_cache
def constant(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/constant/", constant), *product_urlpatterns]
