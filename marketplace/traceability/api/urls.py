"""Traceability API under /api/trace/: batches, codes, binding, and a code's events."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from marketplace.traceability.api.views import BatchViewSet, CodeEventsView, LineBindView

router = SimpleRouter()
router.register("batches", BatchViewSet, basename="trace-batch")

urlpatterns = [
    path("", include(router.urls)),
    path("lines/<int:pk>/bind/", LineBindView.as_view(), name="trace-line-bind"),
    path("codes/<str:code>/events/", CodeEventsView.as_view(), name="trace-code-events"),
]
