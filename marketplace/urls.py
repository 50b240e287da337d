"""URLs: Oscar at its own paths, Django admin at django-admin/, Wagtail's catch-all last."""

from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("regions/", include("marketplace.regions.urls")),
    path("cooperatives/", include("marketplace.cooperatives.public_urls")),
    path("payments/", include("marketplace.payments.urls")),
    path("live/", include("marketplace.livestream.urls")),
    path("api/logistics/", include("logistics.api.urls")),
    path("api/trace/", include("marketplace.traceability.api.urls")),
    path("api/reports/", include("marketplace.reporting.api.urls")),
    path("api/", include("marketplace.livestream.api.urls")),
    path("logistics/hub/", include("logistics.hub_urls")),
    path("logistics/", include("logistics.station_urls")),
    path("track/", include("logistics.track_urls")),
    path("t/", include("marketplace.traceability.public_urls")),
    path("dashboard/live/", include("marketplace.livestream.dashboard_urls")),
    path("dashboard/refunds/", include("marketplace.payments.dashboard_urls")),
    path("dashboard/cooperative/", include("marketplace.cooperatives.dashboard_urls")),
    path("dashboard/trace/", include("marketplace.traceability.dashboard_urls")),
    path("dashboard/sales/reports/", include("marketplace.reporting.report_urls")),
    path("dashboard/sales/", include("marketplace.reporting.dashboard_urls")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns.append(path("", include(wagtail_urls)))
