"""The bench data set as plain values: one deterministic generator that both writers read.

Nothing here touches Django, so the project writer and the vanilla Oscar writer build their
databases from exactly the same cooperatives, categories, products, prices and orders.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from marketplace.validators import uscc_check_character

# Bump when the generator changes what it produces: the built databases are then rebuilt.
SPEC_VERSION = 1
RANDOM_SEED = 20261123

# The project's seeded categories (marketplace.shop.catalogue.services.CATEGORIES).
CATEGORIES = ("水果", "蔬菜", "粮油", "茶叶", "禽蛋肉", "山货干货", "加工食品")
STORAGE_OPTIONS = ("常温", "冷藏", "冷冻")
# Words a buyer searches for; every product title contains one of them.
PRODUCE = {
    "水果": ("猕猴桃", "杨梅", "柑橘", "蓝莓", "黄桃", "枇杷"),
    "蔬菜": ("冬笋", "高山白菜", "茭白", "番薯", "萝卜", "辣椒"),
    "粮油": ("红米", "糯米", "山茶油", "菜籽油", "玉米", "小米"),
    "茶叶": ("龙谷丽人", "白茶", "绿茶", "红茶", "黄茶", "毛峰"),
    "禽蛋肉": ("土鸡蛋", "土鸡", "黑猪肉", "鸭蛋", "火腿", "腊肉"),
    "山货干货": ("笋干", "香菇", "木耳", "菊米", "竹荪", "山核桃"),
    "加工食品": ("番薯干", "米粉", "年糕", "豆腐干", "麻糍", "蜂蜜"),
}
PLACES = ("遂昌", "高坪", "龙谷", "王村口", "湖山", "焦滩", "金竹", "大柘", "石练", "妙高")
QUALIFIERS = ("高山", "有机", "农家", "精选", "特级", "古法", "生态", "手工")
PACKS = ("500克", "1斤装", "2斤装", "5斤装", "礼盒装", "10枚", "250克", "3斤装")
VARIANT_PACKS = ("小份", "家庭装")


@dataclass(frozen=True)
class Sizes:
    """How big the data set is; stored in the marker so a different size rebuilds."""

    cooperatives: int = 50
    products: int = 10_000  # browsable products: standalone + parents
    variant_every: int = 25  # every n-th product is a parent with children
    children_per_parent: int = 2
    buyers: int = 200
    orders: int = 30_000
    order_lines: int = 100_000
    max_lines_per_order: int = 8


@dataclass(frozen=True)
class CoopSpec:
    seq: int
    slug: str
    name: str
    legal_name: str
    credit_code: str
    phone: str


@dataclass(frozen=True)
class ProductSpec:
    index: int
    title: str
    category: str
    coop: int  # index into Spec.cooperatives
    structure: str  # standalone, parent or child
    parent: int | None  # index of the parent product for children
    sku: str
    price: Decimal | None  # parents have no stock record and no price
    pack: str
    storage: str
    search_word: str

    @property
    def purchasable(self) -> bool:
        return self.structure != "parent"


@dataclass(frozen=True)
class OrderSpec:
    number: str
    buyer: int
    days_ago: int
    seconds: int
    status: str
    lines: tuple[tuple[int, int], ...]  # (product index, quantity)


@dataclass
class Spec:
    sizes: Sizes
    cooperatives: list[CoopSpec] = field(default_factory=list)
    products: list[ProductSpec] = field(default_factory=list)
    orders: list[OrderSpec] = field(default_factory=list)

    def marker(self) -> dict:
        """What the built database records; a mismatch means the data must be rebuilt."""
        return {"spec_version": SPEC_VERSION, "seed": RANDOM_SEED, **asdict(self.sizes)}

    @property
    def order_line_count(self) -> int:
        return sum(len(o.lines) for o in self.orders)


def credit_code(seq: int) -> str:
    """A valid 统一社会信用代码 for a farmer cooperative (93) in 遂昌县 (331123)."""
    first17 = f"93331123MB{seq:07d}"
    return first17 + uscc_check_character(first17)


def _cooperatives(n: int) -> list[CoopSpec]:
    coops = []
    for seq in range(1, n + 1):
        place = PLACES[seq % len(PLACES)]
        name = f"{place}农品合作社{seq:02d}"
        coops.append(CoopSpec(
            seq=seq, slug=f"bench-coop-{seq:02d}", name=name,
            legal_name=f"遂昌县{name}（农民专业合作社）", credit_code=credit_code(seq),
            phone=f"1380578{seq:04d}",
        ))
    return coops


def _products(sizes: Sizes, rng: random.Random) -> list[ProductSpec]:
    products: list[ProductSpec] = []
    for n in range(sizes.products):
        category = CATEGORIES[n % len(CATEGORIES)]
        word = rng.choice(PRODUCE[category])
        pack = rng.choice(PACKS)
        title = f"{rng.choice(PLACES)}{rng.choice(QUALIFIERS)}{word} {pack} #{n + 1}"
        coop = rng.randrange(sizes.cooperatives)
        storage = rng.choices(STORAGE_OPTIONS, weights=(80, 15, 5))[0]
        price = Decimal(rng.randrange(500, 30000)) / 100
        is_parent = sizes.variant_every and (n + 1) % sizes.variant_every == 0
        index = len(products)
        products.append(ProductSpec(
            index=index, title=title, category=category, coop=coop,
            structure="parent" if is_parent else "standalone", parent=None,
            sku=f"BP{n + 1:06d}", price=None if is_parent else price, pack=pack,
            storage=storage, search_word=word,
        ))
        if not is_parent:
            continue
        for c in range(sizes.children_per_parent):
            child_pack = VARIANT_PACKS[c % len(VARIANT_PACKS)]
            products.append(ProductSpec(
                index=len(products), title=f"{title}（{child_pack}）", category=category,
                coop=coop, structure="child", parent=index, sku=f"BP{n + 1:06d}-{c + 1}",
                price=price * (c + 1), pack=child_pack, storage=storage, search_word=word,
            ))
    return products


def _orders(sizes: Sizes, rng: random.Random, purchasable: list[int]) -> list[OrderSpec]:
    # Every order has one line, the rest are spread at random (capped per order), so the
    # total is exactly sizes.order_lines.
    counts = [1] * sizes.orders
    extra = sizes.order_lines - sizes.orders
    capacity = sizes.orders * (sizes.max_lines_per_order - 1)
    if extra < 0 or extra > capacity:
        raise ValueError("order_lines must lie between orders and orders × max_lines_per_order")
    while extra:
        i = rng.randrange(sizes.orders)
        if counts[i] < sizes.max_lines_per_order:
            counts[i] += 1
            extra -= 1
    orders = []
    for i, count in enumerate(counts):
        days_ago = rng.randrange(365)
        lines = tuple((p, rng.choice((1, 1, 1, 2, 3))) for p in rng.sample(purchasable, count))
        orders.append(OrderSpec(
            number=f"B{i + 1:07d}", buyer=rng.randrange(sizes.buyers), days_ago=days_ago,
            seconds=rng.randrange(86400), status="completed", lines=lines,
        ))
    return orders


def generate(sizes: Sizes | None = None) -> Spec:
    """The whole data set; the same sizes always give the same values."""
    sizes = sizes or Sizes()
    rng = random.Random(RANDOM_SEED)
    spec = Spec(sizes=sizes, cooperatives=_cooperatives(sizes.cooperatives))
    spec.products = _products(sizes, rng)
    purchasable = [p.index for p in spec.products if p.purchasable]
    spec.orders = _orders(sizes, rng, purchasable)
    return spec


def buyer_email(i: int) -> str:
    return f"bench-buyer-{i:04d}@bench.cn"
