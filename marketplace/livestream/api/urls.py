"""API URLs: /api/live/sessions/… and the OpenAPI schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from marketplace.livestream.api.views import SessionViewSet


class SchemaView(SpectacularAPIView):
    # JSON first: the schema by default, and refusals (a POST without CSRF token) in the
    # same JSON {"detail": …} as the rest of the API rather than as YAML.
    renderer_classes = [JSONRenderer, *SpectacularAPIView.renderer_classes]


router = SimpleRouter()
router.register("live/sessions", SessionViewSet, basename="live-session")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
]
