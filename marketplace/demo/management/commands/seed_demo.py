"""manage.py seed_demo: the demo county 遂昌县 with cooperatives, products, people and orders."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from marketplace.demo.services import DEFAULT_DOMAIN, DEFAULT_ORDERS, demo_seed


class Command(BaseCommand):
    help = (
        "Build the demo county 遂昌县 (331123): regions, site, cooperatives, products, one user "
        "per role and past orders. Safe to run again: a second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders", type=int, default=DEFAULT_ORDERS,
            help=f"number of past orders (default {DEFAULT_ORDERS})",
        )
        parser.add_argument(
            "--skip-regions", action="store_true",
            help="do not load administrative divisions (they are already there)",
        )
        parser.add_argument(
            "--domain", default=DEFAULT_DOMAIN,
            help=f"host[:port] for Django's and Wagtail's site (default {DEFAULT_DOMAIN})",
        )

    def handle(self, *args, orders, skip_regions, domain, **options):
        if orders < 0:
            raise CommandError("--orders must be 0 or more")
        started = time.monotonic()
        ctx = demo_seed(
            orders=orders, skip_regions=skip_regions, domain=domain,
            log=lambda m: self.stdout.write(f"  {m}"),
        )
        self.stdout.write(
            self.style.SUCCESS(_("演示数据已就绪（用时 %(s).1f 秒）。") % {
                "s": time.monotonic() - started})
        )
        self._table(ctx.credentials)

    def _table(self, rows):
        header = (_("角色"), _("邮箱"), _("密码"))
        rows = [header, *rows]
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for n, row in enumerate(rows):
            cells = (_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
