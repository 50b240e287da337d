"""StreamField blocks: commerce blocks (products, live sessions, cooperatives) whose prices,
stock and live badges are read when the page renders (cms/selectors.py), and content blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from cms.choosers import (
    category_chooser_viewset,
    cooperative_chooser_viewset,
    live_session_chooser_viewset,
    product_chooser_viewset,
)

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="cms.blocks"
)
LiveSessionChooserBlock = live_session_chooser_viewset.get_block_class(
    name="LiveSessionChooserBlock", module_path="cms.blocks"
)
CooperativeChooserBlock = cooperative_chooser_viewset.get_block_class(
    name="CooperativeChooserBlock", module_path="cms.blocks"
)
CategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="CategoryChooserBlock", module_path="cms.blocks"
)

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]

RAIL_MIN, RAIL_MAX = 4, 24


class ProductCardBlock(blocks.StructBlock):
    """One product with its live price, stock and 直播中 badge."""

    product = ProductChooserBlock(label=_("商品"))
    note = blocks.CharBlock(label=_("推荐语"), max_length=80, required=False)

    class Meta:
        icon = "tag"
        label = _("商品卡片")
        template = "cms/blocks/product_card.html"


class ProductRailBlock(blocks.StructBlock):
    """A row of product cards: hand-picked products, or the newest of a category or of a
    cooperative."""

    SOURCE_PRODUCTS = "products"
    SOURCE_CATEGORY = "category"
    SOURCE_COOPERATIVE = "cooperative"

    title = blocks.CharBlock(label=_("标题"), max_length=60)
    source = blocks.ChoiceBlock(
        label=_("商品来源"),
        choices=[
            (SOURCE_PRODUCTS, _("手选商品")),
            (SOURCE_CATEGORY, _("某个分类的商品")),
            (SOURCE_COOPERATIVE, _("某个合作社的商品")),
        ],
        default=SOURCE_PRODUCTS,
    )
    products = blocks.ListBlock(
        ProductChooserBlock(label=_("商品")), label=_("手选商品"), required=False,
        max_num=RAIL_MAX,
    )
    category = CategoryChooserBlock(label=_("分类"), required=False)
    cooperative = CooperativeChooserBlock(label=_("合作社"), required=False)
    limit = blocks.IntegerBlock(
        label=_("最多显示"), min_value=RAIL_MIN, max_value=RAIL_MAX, default=8
    )

    class Meta:
        icon = "list-ul"
        label = _("商品橱窗")
        template = "cms/blocks/product_rail.html"

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        errors = {}
        if source == self.SOURCE_PRODUCTS and not [p for p in value.get("products") or [] if p]:
            errors["products"] = ErrorList([_("请至少选择一个商品")])
        elif source == self.SOURCE_CATEGORY and not value.get("category"):
            errors["category"] = ErrorList([_("请选择分类")])
        elif source == self.SOURCE_COOPERATIVE and not value.get("cooperative"):
            errors["cooperative"] = ErrorList([_("请选择合作社")])
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class LiveSessionBlock(blocks.StructBlock):
    """One live session: 直播中 / 预告 / 回放 is read when the page renders."""

    session = LiveSessionChooserBlock(label=_("直播场次"))
    note = blocks.CharBlock(label=_("说明"), max_length=80, required=False)

    class Meta:
        icon = "media"
        label = _("直播场次")
        template = "cms/blocks/live_session.html"


class CooperativeBlock(blocks.StructBlock):
    """One cooperative with its valid certifications, read live."""

    cooperative = CooperativeChooserBlock(label=_("合作社"))
    note = blocks.CharBlock(label=_("推荐语"), max_length=120, required=False)

    class Meta:
        icon = "group"
        label = _("合作社")
        template = "cms/blocks/cooperative.html"


class ImageBlock(blocks.StructBlock):
    """An image with the alt text a screen reader speaks (required)."""

    image = ImageChooserBlock(label=_("图片"))
    alt = blocks.CharBlock(
        label=_("替代文字"), max_length=200,
        help_text=_("为看不到图片的读者描述图片内容（读屏软件会朗读）"),
    )
    caption = blocks.CharBlock(label=_("图片说明"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "cms/blocks/image.html"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), max_length=60, required=False)
    images = blocks.ListBlock(ImageBlock(), label=_("图片"), min_num=1, max_num=30)

    class Meta:
        icon = "image"
        label = _("图集")
        template = "cms/blocks/gallery.html"


VIDEO_EXTENSIONS = (".mp4", ".m3u8", ".webm")


class VideoBlock(blocks.StructBlock):
    """A video file or HLS stream played by the browser (no oEmbed: no internet here)."""

    url = blocks.URLBlock(
        label=_("视频地址"), help_text=_("mp4 文件或 HLS（.m3u8）地址"), max_length=500
    )
    poster = ImageChooserBlock(label=_("封面图"), required=False)
    caption = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        icon = "media"
        label = _("视频")
        template = "cms/blocks/video.html"

    def clean(self, value):
        value = super().clean(value)
        if not urlsplit(value.get("url") or "").path.lower().endswith(VIDEO_EXTENSIONS):
            raise StructBlockValidationError(
                block_errors={"url": ErrorList([ValidationError(
                    _("请填写 mp4、webm 视频文件或 HLS（.m3u8）直播流地址")
                )])}
            )
        return value

    @staticmethod
    def mime_type(url: str) -> str:
        path = urlsplit(url or "").path.lower()
        if path.endswith(".m3u8"):
            return "application/vnd.apple.mpegurl"
        if path.endswith(".webm"):
            return "video/webm"
        return "video/mp4"

    def get_context(self, value, parent_context=None):
        ctx = super().get_context(value, parent_context=parent_context)
        ctx["mime_type"] = self.mime_type(value.get("url"))
        return ctx


class ScheduleItemBlock(blocks.StructBlock):
    """One entry of a festival's programme (日程)."""

    starts_at = blocks.DateTimeBlock(label=_("开始时间"))
    title = blocks.CharBlock(label=_("活动"), max_length=80)
    place = blocks.CharBlock(label=_("地点"), max_length=80, required=False)
    description = blocks.TextBlock(label=_("说明"), required=False)

    class Meta:
        icon = "time"
        label = _("日程")


class MemberBlock(blocks.StructBlock):
    """A member of the cooperative who tells part of its story."""

    name = blocks.CharBlock(label=_("姓名"), max_length=40)
    role = blocks.CharBlock(label=_("身份"), max_length=60, required=False)
    photo = ImageChooserBlock(label=_("照片"), required=False)
    quote = blocks.TextBlock(label=_("说的话"), required=False)

    class Meta:
        icon = "user"
        label = _("社员")


def rich_text_block() -> blocks.RichTextBlock:
    return blocks.RichTextBlock(label=_("正文"), features=RICH_TEXT_FEATURES,
                                template="cms/blocks/rich_text.html")


HOME_BLOCKS = [
    ("product_rail", ProductRailBlock()),
    ("product_card", ProductCardBlock()),
    ("cooperative", CooperativeBlock()),
    ("live_session", LiveSessionBlock()),
    ("rich_text", rich_text_block()),
]

STORY_BLOCKS = [
    ("rich_text", rich_text_block()),
    ("image", ImageBlock()),
    ("gallery", GalleryBlock()),
    ("video", VideoBlock()),
    ("product_card", ProductCardBlock()),
]

FESTIVAL_BLOCKS = [
    ("rich_text", rich_text_block()),
    ("product_rail", ProductRailBlock()),
    ("product_card", ProductCardBlock()),
    ("live_session", LiveSessionBlock()),
    ("gallery", GalleryBlock()),
    ("video", VideoBlock()),
]

ARTICLE_BLOCKS = [
    ("rich_text", rich_text_block()),
    ("image", ImageBlock()),
    ("gallery", GalleryBlock()),
    ("video", VideoBlock()),
    ("product_card", ProductCardBlock()),
    ("product_rail", ProductRailBlock()),
]

SCHEDULE_BLOCKS = [("item", ScheduleItemBlock())]
MEMBER_BLOCKS = [("member", MemberBlock())]
