"""`tabwise demo_code <username>`: the current 6-digit two-factor code of a demo user (demo users only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tabwise.demo import generator
from tabwise.users.models import User


class Command(BaseCommand):
    help = "Print the current two-factor (TOTP) code of a demo user, so the demo can be signed in to without a phone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not generator.is_demo_user(user):
            raise CommandError(
                f"{username} is not a demo user (their email is not on {generator.DEMO_EMAIL_DOMAIN}); "
                "demo_code only prints codes for demo users."
            )
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no two-factor device (only level-1 demo users need one).")
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        self.stdout.write(f"{token:0{device.digits}d}")
