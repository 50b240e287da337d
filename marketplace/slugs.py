"""Slugs for Chinese titles: pinyin, so URLs stay ASCII and readable (红米 → hong-mi)."""

from django.utils.text import slugify
from pypinyin import lazy_pinyin


def pinyin_slugify(value: str, allow_unicode: bool = False) -> str:
    latin = " ".join(lazy_pinyin(str(value), errors="default"))
    return slugify(latin, allow_unicode=False)[:200] or "item"
