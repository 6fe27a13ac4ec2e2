"""`tabwise demo [--seed N] [--customers N]`: (re)create the demo data set and print its logins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tabwise.demo import generator


class Command(BaseCommand):
    help = "Remove the demo businesses and create them again, reproducibly from the seed, then print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED, help="the same seed, the same data")
        parser.add_argument(
            "--customers", type=int, default=generator.DEFAULT_CUSTOMERS, help="customers across the three businesses"
        )

    def handle(self, *args: Any, seed: int, customers: int, **options: Any) -> None:
        if not 0 <= customers <= generator.MAX_CUSTOMERS:
            raise CommandError(f"--customers must be from 0 to {generator.MAX_CUSTOMERS}.")
        started = time.monotonic()
        try:
            summary = generator.generate(seed=seed, customers=customers, stdout=self.stdout)
        except generator.DemoConflict as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write("")
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Done in {elapsed:.1f} s.\n")
        self.stdout.write(generator.logins_text())
