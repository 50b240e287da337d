"""Slugs for Chinese titles: pinyin, so URLs stay ASCII and readable (红米 → hong-mi)."""

from django.utils.text import slugify


def pinyin_slugify(value: str, allow_unicode: bool = False) -> str:
    # Imported here: pypinyin's tables take ~58 MB, and most web workers never make a slug.
    from pypinyin import lazy_pinyin

    latin = " ".join(lazy_pinyin(str(value), errors="default"))
    return slugify(latin, allow_unicode=False)[:200] or "item"
