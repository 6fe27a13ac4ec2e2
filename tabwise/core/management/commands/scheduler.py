"""`tabwise scheduler`: enqueue each business's daily jobs when their hour comes (see tabwise.core.schedule)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from tabwise.core import schedule


class Command(BaseCommand):
    help = "Enqueue each business's daily jobs (payment-plan check, late charges, ...) once a day at their hour."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit (for cron).")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between checks (default 60).")

    def handle(self, *args: Any, once: bool = False, interval: int = 60, **options: Any) -> None:
        while True:
            close_old_connections()
            for business_id, job, run_on in schedule.run_due():
                self.stdout.write(f"enqueued {job} for business {business_id} ({run_on})")
            if once:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return
