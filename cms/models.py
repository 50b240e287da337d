"""Wagtail page models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from marketplace.shop.catalogue.selectors import products_featured


class HomePage(Page):
    """The site root: a welcome and featured products read live from the catalogue."""

    intro = RichTextField(_("导语"), blank=True)
    featured_count = models.PositiveSmallIntegerField(_("精选商品数量"), default=8)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("featured_count")]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        ctx = super().get_context(request, *args, **kwargs)
        ctx["featured_products"] = products_featured(limit=self.featured_count)
        return ctx
