"""manage.py search_index --rebuild | --products 1,2,3: (re)index products for search."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend

BAR = 30


class Command(BaseCommand):
    help = ("Rebuild the product search index (--rebuild: every product into a fresh index, "
            "switched in when complete) or re-index some products (--products 1,2,3).")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true",
                            help="index every product; searches use the old index until done")
        parser.add_argument("--products", default="",
                            help="comma-separated product ids to re-index (or remove)")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--backend", default=None, help="db or elasticsearch "
                            "(default: settings.SEARCH_BACKEND)")

    def handle(self, *args, rebuild=False, products="", batch_size=500, backend=None,
               **options):
        if rebuild == bool(products):
            raise CommandError("Give either --rebuild or --products 1,2,3.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            engine = get_backend(backend)
        except KeyError:
            raise CommandError(f"Unknown search backend: {backend}") from None
        started = time.monotonic()
        if rebuild:
            written = engine.rebuild(progress=self._progress, batch_size=batch_size)
            self.stdout.write(f"search index rebuilt ({engine.name}): {written} products in "
                              f"{time.monotonic() - started:.1f} s")
            return
        parts = [p.strip() for p in products.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and len(p) < 19 for p in parts):
            raise CommandError("--products takes product ids separated by commas, e.g. 1,2,3.")
        written = engine.index_products([int(p) for p in parts])
        self.stdout.write(f"re-indexed {written} of {len(parts)} products ({engine.name}); "
                          "the others are not browsable and were removed from the index")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        self.stderr.write(f"[{'#' * filled}{'.' * (BAR - filled)}] indexed {done}/{total}")
