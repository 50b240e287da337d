"""API URLs: /api/live/sessions/… and the OpenAPI schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from marketplace.livestream.api.views import SessionViewSet

router = SimpleRouter()
router.register("live/sessions", SessionViewSet, basename="live-session")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
