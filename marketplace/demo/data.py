"""The demo county's fixed content: cooperatives, certifications, products and people.

Append only: products and cooperatives are found again on later runs by their slug / SKU, so
renaming one here creates a new row instead of updating the old one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

DEMO_COUNTY = "331123"  # 遂昌县, 丽水市, 浙江省
POVERTY_COUNTY = "431226"  # 麻阳苗族自治县, 怀化市, 湖南省 (脱贫县)
VILLAGE_COUNTIES = (DEMO_COUNTY, POVERTY_COUNTY)


@dataclass(frozen=True)
class CertSpec:
    kind: str  # Certification.Kind value
    number: str
    issuer: str
    valid_until: datetime.date


@dataclass(frozen=True)
class CoopSpec:
    slug: str
    name: str  # shop name buyers see (Oscar partner)
    legal_name: str
    village: str  # 12-digit village code from regions/data/villages-demo.csv
    phone: str
    households: int
    description: str
    certifications: tuple[CertSpec, ...] = ()
    poverty_area: bool = False


@dataclass(frozen=True)
class ProductSpec:
    sku: str  # also the URL slug
    coop: str  # CoopSpec.slug
    title: str
    category: str
    price: Decimal
    stock: int
    spec: str
    shelf_life_days: int
    storage: str  # 常温 / 冷藏 / 冷冻
    season: str
    description: str


_FAR = datetime.date(2030, 12, 31)
_MID = datetime.date(2029, 6, 30)
_EXPIRED = datetime.date(2024, 3, 31)  # shows that an expired badge is no longer displayed

COOPERATIVES: tuple[CoopSpec, ...] = (
    CoopSpec(
        slug="shilian-jumi",
        name="石练菊米合作社",
        legal_name="遂昌县石练菊米专业合作社",
        village="331123106204",  # 石练镇 黄皮村
        phone="0578-8161234",
        households=126,
        description="石练镇黄皮村农户联合种植菊米，手工采摘花蕾、低温烘焙，是遂昌传统名茶饮。",
        certifications=(
            CertSpec("gi", "AGI-2010-00418", "农业农村部", _FAR),
            CertSpec("green", "LB-18-22063311230118A", "中国绿色食品发展中心", _MID),
        ),
    ),
    CoopSpec(
        slug="longgu-tea",
        name="龙谷丽人茶叶合作社",
        legal_name="遂昌县龙谷丽人茶叶专业合作社",
        village="331123207210",  # 龙洋乡 埠头洋村
        phone="13905781234",
        households=208,
        description="海拔八百米以上的高山茶园，出品龙谷丽人茶与遂昌银猴茶，明前采摘、手工炒制。",
        certifications=(
            CertSpec("organic", "OC-1040P2300762", "中国质量认证中心", _FAR),
            CertSpec("gi", "AGI-2016-01953", "农业农村部", _FAR),
        ),
    ),
    CoopSpec(
        slug="gaoping-hongmi",
        name="高坪红米合作社",
        legal_name="遂昌县高坪红米专业合作社",
        village="331123203207",  # 高坪乡 茶树坪村
        phone="0578-8152368",
        households=95,
        description="高坪乡梯田里种出的红米、黑米和高山大米，一年一季，山泉水灌溉。",
        certifications=(
            CertSpec("green", "LB-15-21093311230207A", "中国绿色食品发展中心", _FAR),
            CertSpec("compliance", "HGZ-331123-0207", "遂昌县农业农村局", _MID),
        ),
    ),
    CoopSpec(
        slug="wangcunkou-veg",
        name="王村口高山蔬菜合作社",
        legal_name="遂昌县王村口高山蔬菜专业合作社",
        village="331123107212",  # 王村口镇 大坑村
        phone="13857801234",
        households=152,
        description="王村口镇大坑村的高山蔬菜基地，冬笋、春笋、茭白和四季豆当天采收当天发货。",
        certifications=(CertSpec("compliance", "HGZ-331123-1072", "遂昌县农业农村局", _FAR),),
    ),
    CoopSpec(
        slug="dazhe-fruit",
        name="大柘水果合作社",
        legal_name="遂昌县大柘水果专业合作社",
        village="331123105211",  # 大柘镇 永安村
        phone="0578-8183456",
        households=87,
        description="大柘镇永安村的猕猴桃、杨梅和翠冠梨果园，坚持人工除草、套袋种植。",
        certifications=(
            # Expired on purpose: its badge must no longer show on the storefront.
            CertSpec("green", "LB-18-20073311230521A", "中国绿色食品发展中心", _EXPIRED),
            CertSpec("compliance", "HGZ-331123-1052", "遂昌县农业农村局", _MID),
        ),
    ),
    CoopSpec(
        slug="jinzhu-poultry",
        name="金竹生态养殖合作社",
        legal_name="遂昌县金竹生态养殖专业合作社",
        village="331123104203",  # 金竹镇 早坞村
        phone="13735961234",
        households=64,
        description="金竹镇早坞村林下散养土鸡、番鸭和高山黑猪，谷物喂养，全程可追溯。",
        certifications=(CertSpec("compliance", "HGZ-331123-1042", "遂昌县农业农村局", _FAR),),
    ),
    CoopSpec(
        slug="ankou-shanhuo",
        name="垵口山货合作社",
        legal_name="遂昌县垵口山货专业合作社",
        village="331123210203",  # 垵口乡 乐山头村
        phone="0578-8176543",
        households=173,
        description="垵口乡的笋干、香菇、山核桃、竹炭和遂昌长粽，都是山里人家的老手艺。",
        certifications=(
            CertSpec("gi", "AGI-2019-02731", "农业农村部", _FAR),
            CertSpec("compliance", "HGZ-331123-2102", "遂昌县农业农村局", _MID),
        ),
    ),
    CoopSpec(
        slug="mayang-bingtangcheng",
        name="麻阳冰糖橙合作社",
        legal_name="麻阳苗族自治县锦和冰糖橙专业合作社",
        village="431226101203",  # 锦和镇 黄家团村
        phone="0745-5821234",
        households=312,
        description="麻阳锦和镇黄家团村的冰糖橙和椪柑果园，带动脱贫户增收，与遂昌结对帮扶。",
        certifications=(
            CertSpec("gi", "AGI-2008-00076", "农业农村部", _FAR),
            CertSpec("green", "LB-18-21114312261012A", "中国绿色食品发展中心", _FAR),
        ),
        poverty_area=True,
    ),
)


def _p(sku, coop, title, category, price, stock, spec, days, storage, season, description):
    return ProductSpec(sku, coop, title, category, Decimal(price), stock, spec, days, storage,
                       season, description)


PRODUCTS: tuple[ProductSpec, ...] = (
    # 水果
    _p("dazhe-mihoutao", "dazhe-fruit", "大柘红心猕猴桃", "水果", "59.90", 300, "5斤装", 30,
       "冷藏", "9-10月", "红心品种，酸甜多汁，九成熟采摘后冷链发货。"),
    _p("suichang-yangmei", "dazhe-fruit", "遂昌东魁杨梅", "水果", "88.00", 120, "3斤装", 3,
       "冷藏", "6月", "东魁大果，个大核小，凌晨采摘，泡沫箱加冰袋发货。"),
    _p("suichang-cuiguanli", "dazhe-fruit", "遂昌翠冠梨", "水果", "45.00", 260, "5斤装", 15,
       "常温", "7-8月", "皮薄肉脆，汁水足，每个单独套袋。"),
    _p("suichang-shuimitao", "dazhe-fruit", "遂昌高山水蜜桃", "水果", "49.90", 180, "4斤装", 7,
       "冷藏", "7月", "高山昼夜温差大，桃香浓郁，软甜多汁。"),
    _p("mayang-bingtangcheng-10", "mayang-bingtangcheng", "麻阳冰糖橙", "水果", "69.90", 500,
       "10斤装", 30, "常温", "11-12月", "国家地理标志产品，果肉脆甜，低酸高糖。"),
    _p("mayang-bingtangcheng-gift", "mayang-bingtangcheng", "麻阳冰糖橙礼盒", "水果", "49.90",
       300, "5斤礼盒装", 30, "常温", "11-12月", "精选大果，礼盒包装，适合送亲友。"),
    _p("mayang-penggan", "mayang-bingtangcheng", "麻阳椪柑", "水果", "39.90", 400, "10斤装",
       30, "常温", "11-1月", "皮松易剥，酸甜适口，老树结果。"),
    # 蔬菜
    _p("gaoshan-dongsun", "wangcunkou-veg", "高山冬笋", "蔬菜", "79.00", 200, "5斤装", 15,
       "冷藏", "11-2月", "海拔千米毛竹林现挖冬笋，鲜嫩无渣。"),
    _p("suichang-chunsun", "wangcunkou-veg", "遂昌春笋", "蔬菜", "39.90", 220, "5斤装", 7,
       "冷藏", "3-4月", "清明前后的头茬春笋，油焖、腌笃鲜都好吃。"),
    _p("gaoshan-jiaobai", "wangcunkou-veg", "高山茭白", "蔬菜", "29.90", 260, "3斤装", 7,
       "冷藏", "8-9月", "高山冷水茭白，白嫩清甜。"),
    _p("gaoshan-sijidou", "wangcunkou-veg", "王村口高山四季豆", "蔬菜", "25.80", 240, "3斤装", 5,
       "冷藏", "7-9月", "无筋嫩豆，当天采摘当天发货。"),
    _p("hongxin-fanshu", "wangcunkou-veg", "高山红心番薯", "蔬菜", "39.90", 350, "10斤装", 60,
       "常温", "10-11月", "沙地种植，蒸烤都甜糯。"),
    _p("gaoshan-xiaohuangjiang", "wangcunkou-veg", "高山小黄姜", "蔬菜", "35.00", 200, "3斤装",
       60, "常温", "10-11月", "老姜辛香足，炖汤、泡茶皆宜。"),
    _p("gaoshan-luobo", "wangcunkou-veg", "高山白萝卜", "蔬菜", "29.90", 300, "10斤装", 20,
       "冷藏", "11-1月", "霜打后的萝卜更甜，生吃脆爽。"),
    _p("mayang-lajiao", "mayang-bingtangcheng", "麻阳高山辣椒", "蔬菜", "26.00", 180, "3斤装", 7,
       "冷藏", "7-9月", "薄皮香辣，做剁椒、小炒都合适。"),
    # 粮油
    _p("suichang-hongmi", "gaoping-hongmi", "遂昌红米", "粮油", "68.00", 400, "5斤装", 365,
       "常温", "10月", "高坪梯田红米，米香浓，适合煮粥和做红米饭。"),
    _p("gaoping-hongmi-organic", "gaoping-hongmi", "高坪有机红米", "粮油", "98.00", 150,
       "2.5公斤装", 365, "常温", "10月", "有机认证地块，不施化肥农药。"),
    _p("gaoshan-dami", "gaoping-hongmi", "遂昌高山大米", "粮油", "59.90", 500, "10斤装", 365,
       "常温", "10月", "一年一季的高山稻，米粒饱满。"),
    _p("suichang-heimi", "gaoping-hongmi", "遂昌黑米", "粮油", "36.00", 200, "2斤装", 365,
       "常温", "10月", "黑米营养丰富，可与红米、大米搭配煮饭。"),
    _p("suichang-yumishen", "gaoping-hongmi", "遂昌玉米糁", "粮油", "19.90", 260, "2斤装", 180,
       "常温", "9月", "石磨玉米糁，熬粥香滑。"),
    _p("shan-chayou", "ankou-shanhuo", "遂昌山茶油", "粮油", "268.00", 120, "2.5升装", 540,
       "常温", "10-11月", "野山茶籽物理压榨，色泽金黄，耐高温。"),
    _p("mayang-huangdou", "mayang-bingtangcheng", "麻阳黄豆", "粮油", "29.90", 220, "3斤装",
       365, "常温", "10月", "本地老品种黄豆，磨豆浆、做豆腐出浆多。"),
    # 茶叶
    _p("longgu-liren-mingqian", "longgu-tea", "龙谷丽人茶（明前特级）", "茶叶", "298.00", 80,
       "125克装", 540, "常温", "3月", "明前一芽一叶，兰花香高，汤色嫩绿。"),
    _p("longgu-liren-yuqian", "longgu-tea", "龙谷丽人茶（雨前一级）", "茶叶", "198.00", 120,
       "250克装", 540, "常温", "4月", "雨前采摘，滋味醇厚，适合日常口粮茶。"),
    _p("suichang-yinhou", "longgu-tea", "遂昌银猴茶", "茶叶", "158.00", 100, "125克装", 540,
       "常温", "3-4月", "浙江省传统名茶，条索卷曲多毫，形似猴爪。"),
    _p("suichang-hongcha", "longgu-tea", "遂昌高山红茶", "茶叶", "128.00", 150, "250克装", 720,
       "常温", "5月", "高山夏茶制成的工夫红茶，蜜香甜润。"),
    _p("suichang-jumi", "shilian-jumi", "遂昌菊米", "茶叶", "88.00", 200, "100克装", 720,
       "常温", "10月", "菊花未开的花蕾，冲泡后清香回甘，明目去火。"),
    _p("shilian-jumi-gift", "shilian-jumi", "石练菊米礼盒", "茶叶", "168.00", 90,
       "100克×2罐礼盒", 720, "常温", "10月", "两罐装礼盒，送长辈的好选择。"),
    # 禽蛋肉
    _p("tu-jidan", "jinzhu-poultry", "土鸡蛋", "禽蛋肉", "59.90", 300, "30枚装", 30, "冷藏",
       "全年", "林下散养土鸡所产，蛋黄橙红，蛋清浓稠。"),
    _p("suichang-tuji", "jinzhu-poultry", "遂昌散养土鸡", "禽蛋肉", "168.00", 80,
       "1只（约3斤）", 180, "冷冻", "全年", "散养一年以上，现杀真空冷冻。"),
    _p("gaoshan-heizhu-wuhua", "jinzhu-poultry", "高山黑猪五花肉", "禽蛋肉", "98.00", 100,
       "2斤装", 180, "冷冻", "全年", "谷物和番薯藤喂养的黑猪，肥瘦相间。"),
    _p("wugu-ji", "jinzhu-poultry", "金竹乌骨鸡", "禽蛋肉", "138.00", 60, "1只（约2斤）", 180,
       "冷冻", "全年", "炖汤滋补，肉质细嫩。"),
    _p("tu-yadan", "jinzhu-poultry", "遂昌土鸭蛋", "禽蛋肉", "49.90", 200, "20枚装", 30,
       "冷藏", "全年", "溪边放养鸭子所产，适合腌咸蛋。"),
    _p("suichang-fanya", "jinzhu-poultry", "遂昌番鸭", "禽蛋肉", "128.00", 70, "1只（约4斤）",
       180, "冷冻", "全年", "番鸭肉瘦而紧实，老鸭煲首选。"),
    # 山货干货
    _p("suichang-zhutan", "ankou-shanhuo", "遂昌竹炭除味包", "山货干货", "49.90", 400,
       "1公斤装", 1095, "常温", "全年", "毛竹高温烧制，吸附异味，可放冰箱、衣柜和新车。"),
    _p("gaoshan-sungan", "ankou-shanhuo", "高山笋干", "山货干货", "68.00", 250, "500克装", 365,
       "常温", "3-4月", "春笋蒸煮后日晒成干，泡发后炖肉最香。"),
    _p("suichang-caigan", "ankou-shanhuo", "遂昌梅干菜", "山货干货", "35.00", 300, "500克装",
       365, "常温", "全年", "芥菜腌制晒干，梅干菜扣肉必备。"),
    _p("duanmu-xianggu", "ankou-shanhuo", "椴木香菇", "山货干货", "58.00", 220, "250克装", 365,
       "常温", "11-3月", "椴木种植，菇肉厚实，香味浓郁。"),
    _p("suichang-shanhetao", "ankou-shanhuo", "遂昌山核桃", "山货干货", "88.00", 160, "500克装",
       240, "常温", "9月", "手剥山核桃，椒盐口味，香脆不腻。"),
    _p("gaoshan-heimuer", "ankou-shanhuo", "高山黑木耳", "山货干货", "45.00", 200, "250克装",
       365, "常温", "5-9月", "肉厚无根，泡发率高。"),
    # 加工食品
    _p("suichang-changzong", "ankou-shanhuo", "遂昌长粽", "加工食品", "69.90", 300, "10只装",
       180, "冷冻", "端午前后", "遂昌特色长条粽子，箬叶包裹，咸肉与豆沙两种口味。"),
    _p("huangmi-guo", "gaoping-hongmi", "遂昌黄米粿", "加工食品", "39.90", 200, "2斤装", 15,
       "冷藏", "12-2月", "灰汁浸米蒸制，可炒可煮，过年的味道。"),
    _p("fanshu-gan", "wangcunkou-veg", "遂昌红心番薯干", "加工食品", "29.90", 400, "500克装",
       180, "常温", "11-1月", "红心番薯蒸熟晾晒，软糯香甜，无添加。"),
    _p("tu-fengmi", "longgu-tea", "遂昌土蜂蜜", "加工食品", "88.00", 150, "500克装", 730,
       "常温", "全年", "中华蜂百花蜜，一年只取一次。"),
    _p("jiuzheng-huangjing", "shilian-jumi", "九蒸九晒黄精", "加工食品", "128.00", 100,
       "250克装", 540, "常温", "全年", "遂昌传统工艺，九次蒸晒，可直接食用或泡茶。"),
    _p("mayang-hongshufensi", "mayang-bingtangcheng", "麻阳红薯粉丝", "加工食品", "29.90", 260,
       "2斤装", 365, "常温", "全年", "本地红薯淀粉手工制作，久煮不烂。"),
)


@dataclass(frozen=True)
class PersonSpec:
    role: str  # key into ROLE_LABELS
    email: str
    first_name: str
    phone: str
    password: str = "demo12345"  # noqa: S105 - published demo credentials


DEMO_PASSWORD = "demo12345"  # noqa: S105 - published demo credentials
ADMIN_PASSWORD = "admin12345"  # noqa: S105 - published demo credentials

PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("buyer", "buyer@demo.cn", "林晓雨", "13800000000"),
    PersonSpec("coop_staff", "coop1@demo.cn", "叶建华", "13800000001"),
    PersonSpec("coop_staff", "coop2@demo.cn", "周丽芳", "13800000002"),
    PersonSpec("live_host", "host@demo.cn", "吴佳琪", "13800000003"),
    PersonSpec("hub_operator", "hub@demo.cn", "郑国强", "13800000004"),
    PersonSpec("town_operator", "town@demo.cn", "毛志勇", "13800000005"),
    PersonSpec("village_operator", "village@demo.cn", "雷小燕", "13800000006"),
    PersonSpec("analyst", "analyst@demo.cn", "钟文博", "13800000007"),
    PersonSpec("admin", "admin@demo.cn", "管理员", "13800000008", ADMIN_PASSWORD),
)

# coop1@demo.cn and coop2@demo.cn work for these cooperatives, in that order.
STAFF_COOPERATIVES = ("gaoping-hongmi", "longgu-tea")

# Extra buyers who placed the past orders (buyer@demo.cn places some as well).
EXTRA_BUYERS = 19
BUYER_NAMES = (
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "黄磊", "赵敏", "吴昊", "周婷",
    "徐杰", "孙悦", "马超", "朱琳", "胡斌", "郭蕾", "何涛", "高洁", "罗刚", "郑爽",
)
STREETS = ("村口12号", "溪边路8号", "新村路23号", "老街5号", "后山路17号", "文化路3号")


# --- Seasons of the past orders --------------------------------------------------------------
# The months (1–12) a product sells most in, so that the twelve months of past orders show the
# seasons on the sales dashboard (tea in spring, oranges in winter). Matched on the title first
# (in this order: 番薯干 before 番薯), then on the category; a product matching neither sells
# evenly all year round (eggs, honey, bamboo charcoal).
SEASON_BY_WORD: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("冰糖橙", (11, 12, 1)),
    ("椪柑", (11, 12, 1)),
    ("冬笋", (11, 12, 1, 2)),
    ("春笋", (3, 4)),
    ("笋干", (4, 5)),
    ("菊米", (10, 11)),  # a flower picked in autumn, unlike the leaf teas
    ("杨梅", (6,)),
    ("水蜜桃", (7, 8)),
    ("翠冠梨", (7, 8)),
    ("猕猴桃", (9, 10)),
    ("茭白", (8, 9)),
    ("四季豆", (7, 8, 9)),
    ("辣椒", (7, 8, 9)),
    ("番薯干", (11, 12, 1)),
    ("番薯", (10, 11)),
    ("小黄姜", (10, 11)),
    ("萝卜", (11, 12, 1)),
    ("红米", (10, 11)),
    ("大米", (10, 11)),
    ("黑米", (10, 11)),
    ("山茶油", (11, 12)),
    ("山核桃", (9, 10, 11)),
    ("香菇", (12, 1, 2, 3)),
    ("木耳", (6, 7, 8)),
    ("长粽", (5, 6)),
    ("黄米粿", (12, 1, 2)),
    ("黄精", (11, 12, 1)),
)
SEASON_BY_CATEGORY: dict[str, tuple[int, ...]] = {
    "茶叶": (3, 4, 5),  # 明前、雨前 and the first spring picking
}
# Relative weight of a product in a month of its season, in the months just before and after
# it, and in the rest of the year (a product without a season weighs SEASON_FLAT every month).
SEASON_PEAK, SEASON_SHOULDER, SEASON_OFF, SEASON_FLAT = 8.0, 2.0, 0.3, 2.0


def season_months(spec: ProductSpec) -> tuple[int, ...]:
    """The months ``spec`` sells most in; empty for a product sold evenly all year."""
    for word, months in SEASON_BY_WORD:
        if word in spec.title:
            return months
    return SEASON_BY_CATEGORY.get(spec.category, ())


def month_weights(spec: ProductSpec) -> tuple[float, ...]:
    """How likely a past order of each month (January first) is to buy ``spec``."""
    months = season_months(spec)
    if not months:
        return (SEASON_FLAT,) * 12
    weights = []
    for month in range(1, 13):
        if month in months:
            weights.append(SEASON_PEAK)
        elif month % 12 + 1 in months or (month - 2) % 12 + 1 in months:
            weights.append(SEASON_SHOULDER)
        else:
            weights.append(SEASON_OFF)
    return tuple(weights)
