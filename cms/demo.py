"""seed_demo step that writes the demo county's CMS pages (see marketplace/demo/services.py):
home page content, a story per cooperative, an upcoming and a past farm festival, and news and
policy articles, with Pillow-drawn Wagtail images. Pages, images and the festival voucher are
found again by slug / title / code, so a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from PIL import Image as PILImage
from PIL import ImageDraw

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CooperativeStoryPage,
    FestivalIndexPage,
    FestivalPage,
    HomePage,
    StoryIndexPage,
)
from cms.workflow import PLATFORM_EDITORS, editorial_setup
from marketplace.cooperatives.models import Cooperative
from marketplace.demo import data
from marketplace.demo.services import _font
from marketplace.livestream.models import LiveSession

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Category = get_model("catalogue", "Category")
Range = get_model("offer", "Range")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")

COVER_SIZE = (1200, 675)  # 16:9, what the phone layouts crop to

EDITOR_EMAIL = "editor@demo.cn"
EDITOR_NAME = "蓝晓青"
EDITOR_PHONE = "13800000009"

FESTIVAL_VOUCHER_CODE = "MIHOUTAO15"
FESTIVAL_OFFER_NAME = "大柘猕猴桃采摘节 满99减15"
FESTIVAL_RANGE_NAME = "大柘猕猴桃采摘节商品"


# --- Content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    quote: str


@dataclass(frozen=True)
class Story:
    coop: str  # CoopSpec.slug
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    members: tuple[Member, ...]
    products: tuple[str, ...]  # SKUs shown as cards inside the story
    colour: tuple[int, int, int]


STORIES: tuple[Story, ...] = (
    Story(
        "shilian-jumi", "黄皮村的菊米：一朵没开的花",
        "石练镇黄皮村 126 户人家，每年十月天不亮就上山掐菊花花蕾，低温烘焙成遂昌菊米。",
        (
            "菊米是菊花还没开的花蕾。石练镇黄皮村的老人说，花开了就不值钱了，所以采摘只有十来天，"
            "全村老少一起上山，太阳出来前掐下花蕾，中午前就要进烘房。",
            "合作社成立以后，统一了烘焙温度和分级标准，每一批都留样送检。菊米拿到了国家地理标志，"
            "收购价比散卖时高了三成，村里在外打工的年轻人也回来了几个，负责拍视频和网店客服。",
            "冲一杯菊米，先闻到的是淡淡的菊香，回口带甜。老人们说它明目去火，我们更想说，这是黄皮村秋天的味道。",
        ),
        (
            Member("叶美兰", "采摘组组长", "花蕾要在露水干之前掐，晚一个钟头香气就散了。"),
            Member("叶志明", "合作社理事长", "我们不追产量，只要每一罐打开都是同一个味道。"),
        ),
        ("suichang-jumi", "shilian-jumi-gift"),
        (200, 160, 60),
    ),
    Story(
        "longgu-tea", "龙洋乡的高山茶园：八百米海拔上的明前茶",
        "埠头洋村 208 户茶农守着海拔八百米以上的茶园，明前一芽一叶手工炒制龙谷丽人茶和遂昌银猴茶。",
        (
            "龙洋乡的茶园大多在海拔八百米以上，云雾多、昼夜温差大，茶芽长得慢，氨基酸含量高。"
            "每年三月中旬开采，采茶工清晨进园，只采一芽一叶。",
            "合作社建了统一的加工厂，鲜叶当天摊青、杀青、理条，老师傅仍然坚持手工辉锅。"
            "茶园通过了有机认证，合作社每年给社员发放有机肥，不用化学除草剂。",
            "去年起，合作社在直播间做预售：茶园现场炒茶，城里的茶客隔着屏幕也能看到这杯茶是怎么来的。",
        ),
        (
            Member("毛建国", "炒茶师傅", "手上的温度骗不了人，锅温差五度，茶香就不一样。"),
            Member("周丽芳", "合作社电商负责人", "直播间里大家最爱问海拔，我就把镜头对着云雾拍。"),
            Member("雷春花", "茶农", "以前茶叶卖给贩子，现在合作社保底收购，心里踏实。"),
        ),
        ("longgu-liren-mingqian", "suichang-yinhou"),
        (60, 120, 80),
    ),
    Story(
        "gaoping-hongmi", "茶树坪村的梯田红米",
        "高坪乡茶树坪村 95 户人家种着一年一季的梯田红米，山泉水灌溉，九月开镰。",
        (
            "高坪乡的梯田从山脚一直修到山腰，最高一层在海拔九百米。这里只种一季稻，"
            "红米生长期比普通水稻长一个月，米粒外层的红色来自天然花青素。",
            "合作社把分散的梯田连片管理，统一种子、统一施用有机肥，请县农技站的专家驻村指导。"
            "新米开仓那天，村里会做一锅红米饭请全村人尝。",
            "现在红米、黑米和高山大米都通过合作社直接卖到城里，每一袋都印着追溯码，扫一扫就能看到是哪块田、哪天收割。",
        ),
        (
            Member("叶建华", "合作社理事长", "梯田难种，但一季稻的米香，是平原上比不了的。"),
            Member("吴秀英", "种植户", "我家六亩梯田，入社后不用再愁卖不出去。"),
        ),
        ("suichang-hongmi", "gaoping-hongmi-organic"),
        (190, 60, 50),
    ),
    Story(
        "wangcunkou-veg", "大坑村的高山菜园：当天采、当天发",
        "王村口镇大坑村 152 户农户种高山蔬菜，冬笋、春笋、茭白和四季豆当天采收当天发货。",
        (
            "王村口镇是革命老区，大坑村在群山之间，夏天比山下凉快五六度，正适合种反季节的高山蔬菜。",
            "合作社和县里的农村物流网络对接，村级服务点每天下午收货，第二天就能送到杭州、上海的买家手里。"
            "冬笋季节，挖笋的社员凌晨进竹林，中午就把带泥的冬笋装箱。",
            "蔬菜都有合格证，每批抽检农残。合作社还帮村里的老人把自家菜地纳入统一种植，多了一份稳定收入。",
        ),
        (
            Member("蓝国平", "挖笋能手", "冬笋藏在土里，看竹子的叶色就知道哪里有。"),
            Member("林小燕", "分拣员", "品相不好的我们自己留下做笋干，发出去的都是好的。"),
        ),
        ("gaoshan-dongsun", "gaoshan-jiaobai"),
        (80, 160, 70),
    ),
    Story(
        "dazhe-fruit", "永安村的果园：不打除草剂的猕猴桃",
        "大柘镇永安村 87 户果农种红心猕猴桃、东魁杨梅和翠冠梨，人工除草、套袋种植。",
        (
            "永安村的果园坚持人工除草，草割下来就地覆盖，既保墒又肥田。每个梨、每串猕猴桃都套袋，少打药也少虫害。",
            "红心猕猴桃九成熟才采摘，合作社建了冷库，采下来先预冷再发货，到买家手里刚好可以吃。"
            "每年秋天的大柘猕猴桃采摘节，城里人开车进村采果，直播间里也同步开卖。",
            "合作社的绿色食品证书过期后正在复审，复审期间我们照样按绿色食品标准管理果园。",
        ),
        (
            Member("朱永红", "果园技术员", "猕猴桃急不得，糖度到了才摘，早摘一天就酸。"),
            Member("郑丽娟", "冷库管理员", "预冷四个小时再装箱，路上不容易捂坏。"),
        ),
        ("dazhe-mihoutao", "suichang-cuiguanli"),
        (240, 140, 40),
    ),
    Story(
        "jinzhu-poultry", "早坞村的林下土鸡",
        "金竹镇早坞村 64 户人家在竹林和果园里散养土鸡、番鸭和高山黑猪，谷物喂养，全程可追溯。",
        (
            "早坞村的土鸡白天在林子里找虫子、啄草籽，晚上回棚。合作社给每只鸡戴脚环，从出壳到出栏都有记录。",
            "黑猪吃的是玉米、番薯和番薯藤，养足一年才出栏。合作社和县里的定点屠宰场合作，现杀后真空冷冻，冷链发货。",
            "土鸡蛋每天早上捡，当天清洁、分级、装箱。买家扫追溯码，可以看到是哪个鸡舍、哪天捡的蛋。",
        ),
        (
            Member("钟水根", "养殖户", "鸡要跑得动，肉才紧实，关在笼里的不是这个味。"),
            Member("雷金花", "捡蛋员", "每天早上六点捡蛋，一个个对着灯照过才装箱。"),
        ),
        ("tu-jidan", "suichang-tuji"),
        (200, 110, 90),
    ),
    Story(
        "ankou-shanhuo", "乐山头村的老手艺：笋干、香菇和长粽",
        "垵口乡乐山头村 173 户人家做笋干、椴木香菇、山核桃和遂昌长粽，都是山里人家的老手艺。",
        (
            "乐山头村家家户户会做笋干：春笋剥壳、蒸煮、压榨，再在竹匾上晒足七个太阳。合作社统一收购、统一分级，价格比以前稳。",
            "椴木香菇一根木头只出三年菇，菇肉厚、香味足。遂昌长粽用箬叶包成一尺来长，是端午和过年走亲戚的礼物。",
            "合作社还请县里的食品检测站每季度抽检，笋干、香菇都拿到了地理标志，老手艺有了新销路。",
        ),
        (
            Member("项桂香", "包粽子的老师傅", "箬叶要先煮再洗，长粽才包得紧、煮不散。"),
            Member("项伟", "返乡青年", "我负责网店，把村里的老手艺拍给城里人看。"),
        ),
        ("gaoshan-sungan", "suichang-changzong"),
        (130, 90, 60),
    ),
    Story(
        "mayang-bingtangcheng", "黄家团村的冰糖橙：山海协作结对帮扶",
        "麻阳锦和镇黄家团村 312 户果农种冰糖橙和椪柑，遂昌与麻阳结对帮扶，"
        "让湘西的橙子走进浙江人家。",
        (
            "麻阳是苗族自治县，也是脱贫县。黄家团村的冰糖橙种在红壤坡地上，昼夜温差大，果肉脆甜、酸度低。",
            "遂昌和麻阳结对帮扶以后，冰糖橙进入了遂昌农品的线上商城，遂昌的物流中心帮着中转发货，"
            "合作社带动的脱贫户每户每年多收入四千多元。",
            "橙子挂在树上自然成熟，十一月开摘。每箱都附上果园的照片和果农的名字。",
        ),
        (
            Member("滕云华", "合作社理事长", "橙子好卖了，出去打工的年轻人回来建了选果厂。"),
            Member("舒桂英", "脱贫户", "家里五亩橙子入了社，孩子上学的钱不用愁了。"),
        ),
        ("mayang-bingtangcheng-10", "mayang-bingtangcheng-gift"),
        (235, 150, 30),
    ),
)


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    kind: str  # ArticlePage kind value: news / policy
    days_ago: int
    summary: str
    paragraphs: tuple[str, ...]
    products: tuple[str, ...] = ()


ARTICLES: tuple[Article, ...] = (
    Article(
        "shushang-xingnong-2026", "遂昌县“数商兴农”行动年度工作要点发布", "policy", 12,
        "县农业农村局、商务局联合发布“数商兴农”工作要点：扶持合作社直播带货、完善县乡村三级物流、"
        "推广农产品追溯码，全年培育农村电商带头人 200 名。",
        (
            "为贯彻落实“数商兴农”工程，推动农产品上行，县农业农村局、县商务局近日联合印发本年度工作要点。",
            "一、培育农村电商主体。支持农民专业合作社开设线上店铺和直播间，对年线上销售额超过 50 "
            "万元的合作社给予一次性奖励；全年培训农村电商带头人 200 名。",
            "二、完善县乡村三级物流。依托县农村物流分拨中心，实现乡镇站点、村级服务点每日收发，"
            "生鲜农产品冷链覆盖全部乡镇。",
            "三、推广农产品追溯。合作社销售的茶叶、红米、菊米等地理标志产品全面使用追溯码，"
            "消费者扫码即可查看产地、检测和物流信息。",
            "四、办好农事节庆。结合猕猴桃采摘节、红米丰收节等活动，线上线下同步促销，带动乡村旅游。",
            "合作社可向所在乡镇农业服务中心咨询申报，具体办法另行通知。",
        ),
    ),
    Article(
        "hongmi-xinmi-kaicang", "高坪红米新米开仓，直播间首场卖出三千多袋", "news", 4,
        "高坪红米合作社新米开仓，理事长在梯田边开直播，两个小时卖出红米三千多袋，订单由县乡村三级物流发往全国。",
        (
            "本周，高坪乡茶树坪村的梯田红米新米开仓。合作社理事长叶建华在梯田边架起手机，"
            "带网友看稻田、看碾米，直播间专享价的红米两个小时卖出三千多袋。",
            "订单通过县农村物流分拨中心统一发出，村级服务点当天揽收，浙江省内次日可达。",
            "合作社表示，今年红米亩产和去年持平，但线上销售占比从三成提高到五成，社员户均增收两千元。",
        ),
        ("suichang-hongmi", "gaoping-hongmi-organic", "suichang-heimi", "gaoshan-dami"),
    ),
    Article(
        "sanji-wuliu-fugai", "县乡村三级物流网络覆盖全县行政村，山货出村更快了", "news", 25,
        "县农村物流分拨中心、乡镇站点和村级服务点连成一张网，全县行政村实现快递进村，"
        "农产品出村时效缩短到 48 小时。",
        (
            "记者从县交通运输局获悉，全县已建成 1 个县级农村物流分拨中心、20 个乡镇站点"
            "和一批村级服务点，"
            "实现行政村快递服务全覆盖。",
            "合作社的订单在村级服务点交寄后，经乡镇站点汇集到县分拨中心，再统一交给快递公司发往全国，"
            "每一次交接都扫码记录，买家可以在订单页面看到包裹走到了哪一站。",
            "冬笋、杨梅等生鲜产品走冷链专线，服务点配备了保温箱和温度记录仪。",
        ),
    ),
)


# --- Images ------------------------------------------------------------------------------


def cover_render(*, title: str, subtitle: str, colour: tuple[int, int, int],
                 size: tuple[int, int] = COVER_SIZE) -> bytes:
    """A JPEG cover: hills in the given colour under a pale sky, with a title if a CJK font
    is installed (plain hills otherwise)."""
    width, height = size
    sky = tuple(min(255, c + 150) for c in colour)
    img = PILImage.new("RGB", size, sky)
    draw = ImageDraw.Draw(img)
    for i, shade in enumerate((110, 60, 0)):
        hill = tuple(min(255, c + shade) for c in colour)
        top = int(height * (0.45 + 0.12 * i))
        draw.ellipse((-width // 3 + i * width // 4, top, width + i * width // 5,
                      top + height), fill=hill)
    draw.ellipse((width - 230, 60, width - 110, 180), fill=(255, 236, 170))
    title_font = _font(min(72, (width - 160) // max(len(title), 1)))
    if title_font is not None:
        draw.text((80, 110), title, font=title_font, fill=(40, 40, 40))
        if subtitle:
            draw.text((80, 210), subtitle, font=_font(36), fill=(60, 60, 60))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def demo_image(*, title: str, alt: str, subtitle: str = "",
               colour: tuple[int, int, int] = (90, 140, 90)):
    """The Wagtail image titled ``title``, drawn and saved on first use (alt text as its
    description). Titles are "<subject> <what>" (e.g. "高坪红米丰收节 封面"): the picture
    shows the subject, the library lists the whole title."""
    from wagtail.images import get_image_model

    Image = get_image_model()
    image = Image.objects.filter(title=title).order_by("pk").first()
    if image is not None:
        return image
    jpeg = cover_render(title=title.rsplit(" ", 1)[0], subtitle=subtitle, colour=colour)
    name = f"cms-demo-{uuid.uuid5(uuid.NAMESPACE_URL, title).hex[:12]}.jpg"
    image = Image(title=title, description=alt, file=ImageFile(io.BytesIO(jpeg), name=name))
    image.save()
    return image


# --- Helpers -----------------------------------------------------------------------------


def _rich(*paragraphs: str, heading: str = "") -> str:
    head = f"<h2>{heading}</h2>" if heading else ""
    return head + "".join(f"<p>{p}</p>" for p in paragraphs)


def _block(kind: str, value) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _products_by_sku(skus) -> dict[str, int]:
    return dict(StockRecord.objects.filter(partner_sku__in=list(skus))
                .values_list("partner_sku", "product_id"))


def _rail(title: str, *, products=(), category=None, cooperative=None, limit=8) -> dict:
    source = "products" if products else "category" if category else "cooperative"
    return _block("product_rail", {
        "title": title, "source": source, "products": list(products),
        "category": category, "cooperative": cooperative, "limit": limit,
    })


def _publish(page) -> None:
    """A revision for the page's history in the admin, published."""
    page.save_revision().publish()


def _child(parent, model, *, slug: str, build):
    """The child page of ``parent`` with ``slug``, made by ``build()`` and published when
    it does not exist yet (an editor's later changes are kept on a second run)."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific, False
    page = build()
    page.slug = slug
    parent.add_child(instance=page)
    _publish(page)
    return page, True


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- The step ----------------------------------------------------------------------------


def demo_cms_pages_create(*, ctx) -> None:
    """Stories, festivals, articles and the home page's content; the editors' groups, the
    stories' review workflow (cms.workflow) and the demo platform editor."""
    home = HomePage.objects.first()
    if home is None:
        ctx.log("cms: skipped, there is no home page (demo_site_setup makes it)")
        return
    made = []
    stories = _stories_create(home, made)
    upcoming, _past = _festivals_create(home, made)
    _articles_create(home, made)
    _home_fill(home, upcoming=upcoming, stories=stories, made=made)
    editorial_setup()
    _platform_editor_create(ctx)
    ctx.log(f"cms: {len(made)} pages created")


def _platform_editor_create(ctx) -> None:
    """editor@demo.cn in 平台编辑: reviews the cooperatives' stories and publishes pages."""
    User = get_user_model()
    editor = User.objects.filter(email=EDITOR_EMAIL).first()
    if editor is None:
        editor = User.objects.create(email=EDITOR_EMAIL, first_name=EDITOR_NAME,
                                     phone=EDITOR_PHONE,
                                     password=make_password(data.DEMO_PASSWORD))
    editor.groups.add(Group.objects.get(name=PLATFORM_EDITORS))
    ctx.credential_add(role=_("平台编辑（审核并发布内容页面）"), email=EDITOR_EMAIL,
                       password=data.DEMO_PASSWORD)


def _stories_create(home, made: list[str]) -> list:
    index, created = _child(home, StoryIndexPage, slug="stories", build=lambda: StoryIndexPage(
        title="合作社故事",
        intro=_rich("遂昌的好东西，出自一个个村子里的合作社。看看他们的田、他们的人和他们的手艺。"),
    ))
    if created:
        made.append(index.title)
    coops = {c.slug: c for c in Cooperative.objects.filter(
        slug__in=[s.coop for s in STORIES])}
    products = _products_by_sku(sku for s in STORIES for sku in s.products)
    pages = []
    for story in STORIES:
        coop = coops.get(story.coop)
        if coop is None:
            continue
        page, created = _child(index, CooperativeStoryPage, slug=story.coop,
                               build=lambda story=story, coop=coop: _story_build(
                                   story, coop=coop, products=products))
        pages.append(page)
        if created:
            made.append(page.title)
    return pages


def _story_build(story: Story, *, coop, products: dict[str, int]):
    cover = demo_image(title=f"{coop.partner.name} 封面", subtitle=story.title,
                       alt=f"{coop.partner.name}所在村子的山和田（示意图）", colour=story.colour)
    field = demo_image(title=f"{coop.partner.name} 田间", subtitle="田间地头",
                       alt=f"{coop.partner.name}社员在田间劳作（示意图）",
                       colour=tuple(max(0, c - 40) for c in story.colour))
    first, *rest = story.paragraphs
    body = [
        _block("rich_text", _rich(first)),
        _block("image", {"image": field.pk, "alt": field.description,
                         "caption": f"{coop.partner.name}的社员"}),
        _block("rich_text", _rich(*rest)),
    ]
    body += [_block("product_card", {"product": products[sku], "note": ""})
             for sku in story.products if sku in products]
    members = [_block("member", {"name": m.name, "role": m.role, "photo": None,
                                 "quote": m.quote}) for m in story.members]
    return CooperativeStoryPage(
        title=story.title, cooperative=coop, summary=story.summary, cover_image=cover,
        body=body, members=members,
    )


def _festivals_create(home, made: list[str]):
    index, created = _child(home, FestivalIndexPage, slug="festivals",
                            build=lambda: FestivalIndexPage(
        title="农事节庆",
        intro=_rich("采摘节、丰收节、开茶节：到村里赶集，也可以在直播间同步下单。"),
    ))
    if created:
        made.append(index.title)
    today = timezone.localdate()
    upcoming, created = _child(index, FestivalPage, slug="dazhe-mihoutao-caizhaijie",
                               build=lambda: _upcoming_build(today))
    if created:
        made.append(upcoming.title)
    past, created = _child(index, FestivalPage, slug="gaoping-hongmi-fengshoujie",
                           build=lambda: _past_build(today))
    if created:
        made.append(past.title)
    return upcoming, past


def _session_id(slug: str) -> int | None:
    return LiveSession.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _festival_voucher(*, products: list[int], starts: dt.datetime, ends: dt.datetime):
    """满99减15 on the festival's products, code MIHOUTAO15, valid from now to the end of
    the festival (one Oscar voucher offer)."""
    voucher = Voucher.objects.filter(code=FESTIVAL_VOUCHER_CODE).first()
    if voucher is not None:
        return voucher
    product_range, _created = Range.objects.get_or_create(name=FESTIVAL_RANGE_NAME)
    for product in Product.objects.filter(pk__in=products):
        product_range.add_product(product)
    offer = ConditionalOffer.objects.filter(name=FESTIVAL_OFFER_NAME).first()
    if offer is None:
        offer = ConditionalOffer.objects.create(
            name=FESTIVAL_OFFER_NAME, offer_type=ConditionalOffer.VOUCHER,
            description="采摘节期间，节庆商品满 99 元减 15 元。",
            condition=Condition.objects.create(range=product_range, type=Condition.VALUE,
                                               value=Decimal("99.00")),
            benefit=Benefit.objects.create(range=product_range, type=Benefit.FIXED,
                                           value=Decimal("15.00")),
        )
    voucher = Voucher.objects.create(
        name="猕猴桃采摘节优惠券", code=FESTIVAL_VOUCHER_CODE, usage=Voucher.MULTI_USE,
        start_datetime=starts, end_datetime=ends,
    )
    voucher.offers.add(offer)
    return voucher


def _upcoming_build(today: dt.date):
    day1 = today + dt.timedelta(days=2)
    day2 = day1 + dt.timedelta(days=1)
    day3 = day1 + dt.timedelta(days=2)
    starts, ends = _local(day1, 9), _local(day3, 17)
    skus = ("dazhe-mihoutao", "suichang-cuiguanli", "suichang-yangmei", "suichang-shuimitao",
            "tu-fengmi", "suichang-jumi")
    products = _products_by_sku(skus)
    picked = [products[s] for s in skus if s in products]
    voucher = _festival_voucher(products=picked, starts=timezone.now().replace(microsecond=0),
                                ends=ends)
    cover = demo_image(title="大柘猕猴桃采摘节 封面", subtitle="永安村果园 · 采果 赶集 看直播",
                       alt="永安村山坡上的猕猴桃果园（示意图）", colour=(240, 140, 40))
    schedule = [
        _block("item", {"starts_at": _local(day1, 9, 30).isoformat(), "title": "开园仪式",
                        "place": "永安村文化礼堂前广场",
                        "description": "镇领导和合作社理事长为采摘节开园，现场品尝红心猕猴桃。"}),
        _block("item", {"starts_at": _local(day1, 10, 30).isoformat(), "title": "亲子采摘",
                        "place": "永安村 3 号果园",
                        "description": "合作社技术员教大家挑选成熟的果子，采多少称多少。"}),
        _block("item", {"starts_at": _local(day2, 9).isoformat(), "title": "山货市集",
                        "place": "大柘镇老街",
                        "description": "全县八家合作社摆摊：菊米、红米、笋干、土蜂蜜现场试吃。"}),
        _block("item", {"starts_at": _local(day3, 14).isoformat(), "title": "果王评选",
                        "place": "永安村文化礼堂",
                        "description": "果农带来自家最大最甜的猕猴桃，评出今年的“果王”。"}),
    ]
    body = [
        _block("rich_text", _rich(
            "大柘镇永安村的红心猕猴桃熟了。三天采摘节里，可以进果园亲手采果、逛山货市集、看果王评选；"
            "来不了的朋友，可以在直播间跟着主播逛果园，节庆商品满 99 元减 15 元。",
            "自驾：遂昌县城出发沿 G528 往大柘方向约 20 分钟；县城汽车站有直达永安村的公交。",
            heading="红心猕猴桃熟了",
        )),
        _rail("采摘节好物", products=picked, limit=8),
    ]
    session = _session_id("dazhe-mihoutao-caizhai")
    if session is not None:
        body.append(_block("live_session", {"session": session,
                                            "note": "主播在果园直播采果，直播间专享价同步开卖"}))
    return FestivalPage(
        title="大柘猕猴桃采摘节", starts_at=starts, ends_at=ends,
        place_name="大柘镇永安村猕猴桃果园", address="浙江省丽水市遂昌县大柘镇永安村",
        summary="永安村的红心猕猴桃熟了：进果园采果、逛山货市集，直播间同步开卖，节庆商品满99减15。",
        cover_image=cover, schedule=schedule, body=body, voucher=voucher,
    )


def _past_build(today: dt.date):
    day1 = today - dt.timedelta(days=4)
    day2 = day1 + dt.timedelta(days=1)
    day3 = day1 + dt.timedelta(days=2)
    starts, ends = _local(day1, 9), _local(day3, 17)
    skus = ("suichang-hongmi", "gaoping-hongmi-organic", "gaoshan-dami", "suichang-heimi",
            "suichang-yumishen", "huangmi-guo")
    products = _products_by_sku(skus)
    cover = demo_image(title="高坪红米丰收节 封面", subtitle="茶树坪村梯田 · 开镰 打谷 尝新米",
                       alt="高坪乡茶树坪村的梯田稻谷金黄（示意图）", colour=(190, 60, 50))
    photos = [
        demo_image(title=f"高坪红米丰收节 {name}", subtitle=name, alt=alt, colour=colour)
        for name, alt, colour in (
            ("开镰", "社员在梯田里弯腰割稻（示意图）", (200, 150, 60)),
            ("打谷", "村民在田边用打谷桶脱粒（示意图）", (170, 120, 50)),
            ("尝新米", "村民围坐在长桌边吃红米饭（示意图）", (190, 60, 50)),
        )
    ]
    schedule = [
        _block("item", {"starts_at": _local(day1, 9).isoformat(), "title": "开镰仪式",
                        "place": "茶树坪村梯田观景台",
                        "description": "老农唱开镰歌，第一刀稻谷由合作社最年长的社员收割。"}),
        _block("item", {"starts_at": _local(day2, 10).isoformat(), "title": "打谷比赛",
                        "place": "茶树坪村梯田",
                        "description": "游客和村民组队用传统打谷桶脱粒。"}),
        _block("item", {"starts_at": _local(day3, 11, 30).isoformat(), "title": "红米宴",
                        "place": "茶树坪村文化礼堂",
                        "description": "全村长桌宴，红米饭、红米酒和高山土菜。"}),
    ]
    body = [
        _block("rich_text", _rich(
            "高坪乡茶树坪村的梯田红米丰收了。三天丰收节里，八百多位游客上山看梯田、下田割稻，"
            "直播间同步卖出红米、黑米和高山大米一万多斤。",
            heading="梯田里的丰收",
        )),
        _block("gallery", {"title": "丰收节现场", "images": [
            {"image": p.pk, "alt": p.description, "caption": p.title.split(" ", 1)[1]}
            for p in photos]}),
        _rail("丰收节的新米", products=[products[s] for s in skus if s in products], limit=8),
    ]
    session = _session_id("gaoshan-dami-fengshou")
    if session is not None:
        body.append(_block("live_session", {"session": session, "note": "丰收节直播回放"}))
    return FestivalPage(
        title="高坪红米丰收节", starts_at=starts, ends_at=ends,
        place_name="高坪乡茶树坪村梯田", address="浙江省丽水市遂昌县高坪乡茶树坪村",
        summary="茶树坪村梯田开镰：割稻、打谷、吃红米宴，直播间同步卖出新米一万多斤。",
        cover_image=cover, schedule=schedule, body=body,
    )


def _articles_create(home, made: list[str]) -> None:
    index, created = _child(home, ArticleIndexPage, slug="news", build=lambda: ArticleIndexPage(
        title="新闻与政策",
        intro=_rich("遂昌县农村电商、合作社和“数商兴农”政策的最新消息。"),
    ))
    if created:
        made.append(index.title)
    today = timezone.localdate()
    for article in ARTICLES:
        page, created = _child(index, ArticlePage, slug=article.slug,
                               build=lambda article=article: _article_build(article, today))
        if created:
            made.append(page.title)


def _article_build(article: Article, today: dt.date):
    colour = (60, 100, 160) if article.kind == "policy" else (90, 140, 90)
    cover = demo_image(title=f"{article.title} 配图",
                       subtitle="数商兴农" if article.kind == "policy" else "遂昌新闻",
                       alt=f"{article.title}（示意图）", colour=colour)
    body = [_block("rich_text", _rich(*article.paragraphs))]
    if article.products:
        products = _products_by_sku(article.products)
        body.append(_rail("文中提到的商品",
                          products=[products[s] for s in article.products if s in products],
                          limit=4))
    return ArticlePage(
        title=article.title, date=today - dt.timedelta(days=article.days_ago), kind=article.kind,
        summary=article.summary, cover_image=cover, body=body,
    )


def _home_fill(home, *, upcoming, stories, made: list[str]) -> None:
    """The home page's hero and blocks, once: a home page an editor has filled is kept."""
    home = home.specific
    if home.hero_title or home.body:
        return
    hero = demo_image(title="遂昌农品 首页大图", subtitle="合作社直供 · 产地直发",
                      alt="遂昌的青山、梯田和茶园（示意图）", colour=(70, 130, 90))
    seasonal = _products_by_sku(("gaoshan-dongsun", "dazhe-mihoutao", "mayang-bingtangcheng-10",
                                 "suichang-hongmi", "longgu-liren-mingqian", "tu-jidan",
                                 "gaoshan-sungan", "suichang-jumi"))
    tea = Category.objects.filter(name="茶叶", depth=1).values_list("pk", flat=True).first()
    coops = dict(Cooperative.objects.filter(
        slug__in=("gaoping-hongmi", "longgu-tea", "mayang-bingtangcheng")
    ).values_list("slug", "pk"))
    body = [_rail("当季推荐", products=list(seasonal.values()), limit=8)]
    if tea is not None:
        body.append(_rail("高山好茶", category=tea, limit=8))
    notes = {
        "gaoping-hongmi": "梯田红米，一年一季",
        "longgu-tea": "海拔八百米的有机茶园",
        "mayang-bingtangcheng": "山海协作结对帮扶，湘西冰糖橙",
    }
    body += [_block("cooperative", {"cooperative": pk, "note": notes[slug]})
             for slug, pk in coops.items()]
    if "mayang-bingtangcheng" in coops:
        body.append(_rail("结对帮扶·麻阳好物", cooperative=coops["mayang-bingtangcheng"], limit=4))
    body.append(_block("rich_text", _rich(
        "遂昌县地处浙西南山区，森林覆盖率超过八成。平台上的商品都来自县里的农民专业合作社，"
        "由县乡村三级物流从村里直接发出，扫追溯码可以看到产地和检测信息。",
        heading="关于遂昌农品",
    )))
    home.hero_title = "山里的好东西，合作社直供"
    home.hero_text = "高山茶、梯田红米、冬笋和山货，从遂昌的村子直接发到你家。"
    home.hero_image = hero
    home.festival_banner = upcoming
    home.body = body
    _publish(home)
    made.append(f"{home.title}（内容）")
