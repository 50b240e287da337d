"""App config: swaps Oscar's synchronous order analytics for a queued, idempotent task."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "marketplace.stats"
    label = "stats"
    verbose_name = _("销售统计")
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from marketplace.stats import signals

        signals.connect()
