"""manage.py load_regions: China's divisions down to towns, and villages of named counties."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.regions.services import DEFAULT_VILLAGES, regions_load


class Command(BaseCommand):
    help = (
        "Load provinces, cities, counties and towns of the whole country (NBS 2022) and the "
        "villages of the counties named, from CSV files. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "counties", nargs="*",
            help="6-digit county codes whose villages to load (default: all in the files)",
        )
        parser.add_argument(
            "--villages", action="append", type=Path, default=None,
            help="village CSV (code,name,streetCode,provinceCode,cityCode,areaCode); repeatable",
        )
        parser.add_argument(
            "--provinces", nargs="*", default=None,
            help="only these 2-digit province codes (smaller databases for tests)",
        )

    def handle(self, *args, counties, villages, provinces, **options):
        for c in counties:
            if not (c.isdigit() and len(c) == 6):
                raise CommandError(f"not a 6-digit county code: {c}")
        files = villages or [DEFAULT_VILLAGES]
        for f in files:
            if not f.exists():
                raise CommandError(f"no such file: {f}")
        result = regions_load(
            village_files=files,
            village_counties=counties or None,
            provinces=provinces,
            progress=lambda m: self.stdout.write(f"  {m}"),
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {result.total} regions."))
