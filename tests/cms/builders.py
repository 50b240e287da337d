"""Build CMS pages for tests: the index pages under the site's home page and their children,
with stream field content given in Wagtail's raw JSON form."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CooperativeStoryPage,
    FestivalIndexPage,
    FestivalPage,
    HomePage,
    StoryIndexPage,
)
from tests import factories


def home() -> HomePage:
    return Site.objects.get(is_default_site=True).root_page.specific


def _index(model, slug: str, title: str):
    page = model.objects.first()
    if page is None:
        page = home().add_child(instance=model(title=title, slug=slug))
    return page


def story_index() -> StoryIndexPage:
    return _index(StoryIndexPage, "stories", "合作社故事")


def festival_index() -> FestivalIndexPage:
    return _index(FestivalIndexPage, "festivals", "农事节庆")


def article_index() -> ArticleIndexPage:
    return _index(ArticleIndexPage, "news", "新闻与政策")


def rich(text: str) -> dict:
    return {"type": "rich_text", "value": f"<p>{text}</p>"}


def product_card(product, note: str = "") -> dict:
    return {"type": "product_card", "value": {"product": product.pk, "note": note}}


def product_rail(title: str, *, products=(), category=None, cooperative=None, limit=8) -> dict:
    source = "category" if category else "cooperative" if cooperative else "products"
    return {"type": "product_rail", "value": {
        "title": title, "source": source, "products": [p.pk for p in products],
        "category": category.pk if category else None,
        "cooperative": cooperative.pk if cooperative else None, "limit": limit,
    }}


def live_session(session, note: str = "") -> dict:
    return {"type": "live_session", "value": {"session": session.pk, "note": note}}


def cooperative_block(coop, note: str = "") -> dict:
    return {"type": "cooperative", "value": {"cooperative": coop.pk, "note": note}}


def story(coop, *, title="妙高红米的故事", slug=None, body=(), members=(), **kwargs):
    return story_index().add_child(instance=CooperativeStoryPage(
        title=title, slug=slug or f"story-{coop.pk}-{CooperativeStoryPage.objects.count()}",
        cooperative=coop, summary=kwargs.pop("summary", "高山梯田里的红米"),
        body=list(body) or [rich("梯田种红米，一年一季。")], members=list(members), **kwargs,
    ))


def festival(*, title="妙高红米开镰节", slug=None, starts_in_days=3, days=2, body=(), **kwargs):
    starts = timezone.now() + dt.timedelta(days=starts_in_days)
    return festival_index().add_child(instance=FestivalPage(
        title=title, slug=slug or f"festival-{FestivalPage.objects.count()}",
        starts_at=starts, ends_at=starts + dt.timedelta(days=days),
        place_name=kwargs.pop("place_name", "妙高街道红星村"),
        address=kwargs.pop("address", "遂昌县妙高街道红星村文化礼堂"),
        summary=kwargs.pop("summary", "开镰割稻，尝新米"), body=list(body), **kwargs,
    ))


def article(*, title="数商兴农政策解读", slug=None, kind="policy", body=(), **kwargs):
    return article_index().add_child(instance=ArticlePage(
        title=title, slug=slug or f"article-{ArticlePage.objects.count()}", kind=kind,
        date=kwargs.pop("date", timezone.localdate()),
        summary=kwargs.pop("summary", "农产品电商的扶持政策"),
        body=list(body) or [rich("县里对合作社开网店给予补贴。")], **kwargs,
    ))


def image(title="梯田", description="妙高梯田里成熟的红米稻穗", color=(200, 60, 40)):
    return get_image_model().objects.create(
        title=title, description=description,
        file=SimpleUploadedFile("terrace.png", factories.png_bytes(color=color, size=(800, 600))),
    )
