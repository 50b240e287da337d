"""Read queries over regions used by forms, views and other packages."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.regions import codes
from marketplace.regions.models import Region


def region_children(*, parent_code: str | None) -> list[Region]:
    """Direct children of a region (provinces when parent_code is None)."""
    if parent_code is None:
        return list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    return list(Region.objects.filter(parent_id=parent_code).order_by("code"))


def region_path(*, code: str) -> list[Region]:
    """The region and its ancestors, province first, in one query."""
    wanted = codes.ancestor_codes(code)
    found = {r.code: r for r in Region.objects.filter(code__in=wanted)}
    return [found[c] for c in wanted if c in found]


# Statistical placeholders between a province-level city and its districts, not place names.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县"})


def region_display_names(path: Iterable[Region]) -> list[str]:
    """The names of a path as people write them in an address (placeholders left out)."""
    return [r.name for r in path if r.name not in PLACEHOLDER_NAMES]


def region_short_name(name: str) -> str:
    """What people call a place: 社后村委会 → 社后村; 叶坦社区 stays."""
    for long, short in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", ""),
                        ("居委会", ""), ("委员会", "")):
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


def region_full_name(*, code: str) -> str:
    """E.g. 浙江省丽水市遂昌县妙高街道叶坦社区."""
    return "".join(region_display_names(region_path(code=code)))


def region_paths(*, region_codes: Iterable[str]) -> dict[str, list[Region]]:
    """Paths for many regions at once, in one query."""
    wanted: set[str] = set()
    for code in region_codes:
        wanted.update(codes.ancestor_codes(code))
    found = {r.code: r for r in Region.objects.filter(code__in=wanted)}
    return {
        code: [found[c] for c in codes.ancestor_codes(code) if c in found]
        for code in region_codes
    }
