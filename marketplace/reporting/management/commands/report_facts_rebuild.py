"""Rebuild the daily sales facts for a range of dates, with a progress bar."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from marketplace.reporting import services

BAR = 30


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Rebuild the daily sales facts of --from..--to (local dates, inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="YYYY-MM-DD")

    def handle(self, *args, first, last, **options):
        start, end = _date(first, "--from"), _date(last, "--to")
        try:
            services.range_check(start, end)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        began = time.monotonic()

        def progress(done: int, total: int, day: dt.date) -> None:
            filled = BAR * done // total
            self.stdout.write(f"\r[{'#' * filled}{' ' * (BAR - filled)}] {done}/{total} days "
                              f"({day.isoformat()})", ending="")
            self.stdout.flush()

        rows = services.facts_build_range(start, end, progress=progress)
        self.stdout.write("")
        self.stdout.write(f"{rows} fact rows for {start}..{end} "
                          f"in {time.monotonic() - began:.1f} s")
