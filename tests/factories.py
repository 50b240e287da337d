"""Test data builders. They call the project's services, so tests build what users build."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from PIL import Image

from marketplace.cooperatives.services import cooperative_create, cooperative_staff_add
from marketplace.shop.catalogue.services import category_by_name, product_create
from marketplace.validators import uscc_check_character

PASSWORD = "pw-test-123456"
_seq = itertools.count(1)


def uscc(n: int) -> str:
    """A valid 统一社会信用代码 (93 = farmer cooperative, 331123 = 遂昌县)."""
    first17 = f"93331123MA{n:07d}"[:17]
    return first17 + uscc_check_character(first17)


def user(*, email: str | None = None, password: str = PASSWORD, **extra):
    User = get_user_model()
    email = email or f"user{next(_seq)}@example.com"
    flags = {k: extra.pop(k) for k in ("is_staff", "is_superuser") if k in extra}
    u = User.objects.create_user(email=email, password=password, **extra)
    if flags:
        for key, value in flags.items():
            setattr(u, key, value)
        u.save(update_fields=list(flags))
    return u


def cooperative(*, name: str | None = None, village: str = "331123001007", poverty_area=False):
    n = next(_seq)
    name = name or f"测试合作社{n}"
    return cooperative_create(
        name=name,
        slug=f"coop-{n}",
        legal_name=f"遂昌县{name}",
        credit_code=uscc(n),
        village_code=village,
        contact_phone="13812345678",
        member_households=10 * n,
        poverty_area=poverty_area,
    )


def coop_staff(coop, *, email: str | None = None):
    u = user(email=email)
    cooperative_staff_add(cooperative=coop, user=u)
    return u


def png_bytes(color=(200, 60, 40), size=(64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def product(coop, *, title: str | None = None, price="39.90", stock=100, category="粮油",
            image=False, storage="常温"):
    n = next(_seq)
    return product_create(
        title=title or f"测试商品{n}",
        partner=coop.partner,
        category=category_by_name(category),
        price=Decimal(price),
        num_in_stock=stock,
        origin_region_code=coop.village_id,
        spec="5斤装",
        shelf_life_days=180,
        storage=storage,
        harvest_season="秋季",
        description="测试用农产品",
        image=(f"p{n}.png", png_bytes()) if image else None,
        sku=f"sku-{n}",
    )
