"""Wagtail page models: the home page, cooperative stories, festivals and articles.

Commerce data (prices, stock, 直播中, certifications) is never copied into a page: blocks
and pages hold ids, and cms/selectors.py reads the live rows when the page renders.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import (
    ARTICLE_BLOCKS,
    FESTIVAL_BLOCKS,
    HOME_BLOCKS,
    MEMBER_BLOCKS,
    SCHEDULE_BLOCKS,
    STORY_BLOCKS,
)
from cms.permissions import CooperativeStoryPageForm, story_permissions_for_user
from cms.search import SearchWordsMixin, search_words_field

IMAGE_MODEL = "wagtailimages.Image"


def _image_fk(verbose_name):
    return models.ForeignKey(
        IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=verbose_name,
    )


class HomePage(Page):
    """The site root: hero, live sessions, the festival of the moment and product rails."""

    intro = RichTextField(_("导语"), blank=True)
    featured_count = models.PositiveSmallIntegerField(_("精选商品数量"), default=8)
    hero_title = models.CharField(_("头图标题"), max_length=80, blank=True)
    hero_text = models.TextField(_("头图文字"), blank=True)
    hero_image = _image_fk(_("头图"))
    festival_banner = models.ForeignKey(
        "cms.FestivalPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("节庆横幅"),
        help_text=_("留空则自动显示正在进行或即将开始的节庆"),
    )
    body = StreamField(HOME_BLOCKS, blank=True, verbose_name=_("页面内容"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")],
            heading=_("头图"),
        ),
        FieldPanel("intro"),
        FieldPanel("festival_banner"),
        FieldPanel("featured_count"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("hero_title"),
        index.SearchField("hero_text"),
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StoryIndexPage", "cms.FestivalIndexPage", "cms.ArticleIndexPage"]

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_page_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(home_page_context(page=self))
        return ctx


class StoryIndexPage(Page):
    """合作社故事: lists its live story pages."""

    intro = RichTextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CooperativeStoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("合作社故事栏目")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import story_index_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(story_index_context(page=self))
        return ctx


class CooperativeStoryPage(SearchWordsMixin, Page):
    """A cooperative's story; its certifications and products are read live from it."""

    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", on_delete=models.PROTECT, related_name="story_pages",
        verbose_name=_("合作社"),
    )
    summary = models.CharField(_("摘要"), max_length=200)
    cover_image = _image_fk(_("封面图"))
    body = StreamField(STORY_BLOCKS, verbose_name=_("故事"))
    members = StreamField(MEMBER_BLOCKS, blank=True, verbose_name=_("社员风采"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("cooperative"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        FieldPanel("members"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("members"),
        index.FilterField("cooperative"),
        search_words_field(),  # 汉字 words for the search page (cms/search.py)
    ]
    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types = []
    # Cooperative staff edit their own cooperatives' stories only (helper B, cms/permissions.py).
    base_form_class = CooperativeStoryPageForm
    permissions_for_user = story_permissions_for_user

    class Meta:
        verbose_name = _("合作社故事")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import story_page_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(story_page_context(page=self))
        return ctx


class FestivalIndexPage(Page):
    """农事节庆: current and upcoming festivals first, then past ones."""

    intro = RichTextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FestivalPage"]
    max_count = 1

    class Meta:
        verbose_name = _("农事节庆栏目")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import festival_index_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(festival_index_context(page=self))
        return ctx


class FestivalPage(SearchWordsMixin, Page):
    """A farming festival (农事节庆): dates, place, programme, products, live sessions and
    its online offer."""

    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place_name = models.CharField(_("地点"), max_length=80)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    summary = models.CharField(_("摘要"), max_length=200)
    cover_image = _image_fk(_("封面图"))
    schedule = StreamField(SCHEDULE_BLOCKS, blank=True, verbose_name=_("日程"))
    body = StreamField(FESTIVAL_BLOCKS, blank=True, verbose_name=_("页面内容"))
    voucher = models.ForeignKey(
        "voucher.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("优惠券"),
    )
    offer = models.ForeignKey(
        "offer.ConditionalOffer", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("线上优惠活动"),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading=_("时间")),
        FieldRowPanel([FieldPanel("place_name"), FieldPanel("address")], heading=_("地点")),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("schedule"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("voucher"), FieldPanel("offer")], heading=_("线上优惠")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("place_name"),
        index.SearchField("body"),
        index.FilterField("starts_at"),
        index.FilterField("ends_at"),
        search_words_field(),  # 汉字 words for the search page (cms/search.py)
    ]
    parent_page_types = ["cms.FestivalIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("农事节庆")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("结束时间不能早于开始时间")})

    def is_past(self, now=None) -> bool:
        return self.ends_at < (now or timezone.now())

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now <= self.ends_at

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import festival_page_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(festival_page_context(page=self))
        return ctx


class ArticleIndexPage(Page):
    """新闻与政策: articles, newest first."""

    intro = RichTextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    max_count = 1

    class Meta:
        verbose_name = _("新闻与政策栏目")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import article_index_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(article_index_context(page=self, kind=request.GET.get("kind", ""),
                                         page_number=request.GET.get("page")))
        return ctx


class ArticlePage(SearchWordsMixin, Page):
    """A news item or a policy explainer (政策·数商兴农)."""

    class Kind(models.TextChoices):
        NEWS = "news", _("新闻")
        POLICY = "policy", _("政策·数商兴农")

    date = models.DateField(_("日期"), default=timezone.localdate)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.NEWS)
    summary = models.CharField(_("摘要"), max_length=200)
    cover_image = _image_fk(_("封面图"))
    body = StreamField(ARTICLE_BLOCKS, verbose_name=_("正文"))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("date"),
        search_words_field(),  # 汉字 words for the search page (cms/search.py)
    ]
    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("文章")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import article_page_context

        ctx = super().get_context(request, *args, **kwargs)
        ctx.update(article_page_context(page=self))
        return ctx
