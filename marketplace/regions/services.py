"""Loading administrative divisions from the NBS CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from marketplace.regions import codes
from marketplace.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_VILLAGES = DATA_DIR / "villages-demo.csv"

# (file, level, column holding the parent's short code)
_LEVEL_FILES = [
    ("provinces.csv", codes.PROVINCE, None),
    ("cities.csv", codes.CITY, "provinceCode"),
    ("counties.csv", codes.COUNTY, "cityCode"),
    ("towns.csv", codes.TOWN, "areaCode"),
]


@dataclass(frozen=True)
class LoadResult:
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _read(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _upsert(rows: list[Region]) -> None:
    Region.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
    )


def regions_load(
    *,
    village_files: Iterable[Path] = (DEFAULT_VILLAGES,),
    village_counties: Iterable[str] | None = None,
    provinces: Iterable[str] | None = None,
    data_dir: Path = DATA_DIR,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load provinces, cities, counties and towns, and the villages of some counties.

    Re-runnable: rows are upserted by code. ``provinces`` (2-digit codes) restricts what is
    loaded, which keeps test databases small. ``village_counties`` (6-digit codes) picks
    the counties whose villages are loaded from ``village_files``; None loads every village
    in those files.
    """
    keep_prov = {p[:2] for p in provinces} if provinces else None
    keep_counties = {c[:6] for c in village_counties} if village_counties else None
    counts: dict[int, int] = {}
    with transaction.atomic():
        for filename, level, parent_col in _LEVEL_FILES:
            batch = []
            for row in _read(data_dir / filename):
                short = row["code"]
                if keep_prov and short[:2] not in keep_prov:
                    continue
                parent = codes.pad(row[parent_col]) if parent_col else None
                batch.append(
                    Region(code=codes.pad(short), name=row["name"], level=level, parent_id=parent)
                )
            _upsert(batch)
            counts[level] = len(batch)
            if progress:
                progress(f"{filename}: {len(batch)}")
        village_rows = []
        for path in village_files:
            for row in _read(Path(path)):
                county = row["areaCode"]
                if keep_counties and county not in keep_counties:
                    continue
                if keep_prov and row["code"][:2] not in keep_prov:
                    continue
                village_rows.append(
                    Region(
                        code=codes.pad(row["code"]),
                        name=row["name"],
                        level=codes.VILLAGE,
                        parent_id=codes.pad(row["streetCode"]),
                    )
                )
        _upsert(village_rows)
        counts[codes.VILLAGE] = len(village_rows)
        if progress:
            progress(f"villages: {len(village_rows)}")
    return LoadResult(counts=counts)
