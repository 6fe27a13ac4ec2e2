"""Money: always Decimal, two places, rounded in exactly one place."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

CENT = Decimal("0.01")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


class MoneyField(models.DecimalField):
    """An amount of money: 14 digits, 2 places. Never a float."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs


def to_money(value: Decimal | int | str, rounding: str = "half_up") -> Decimal:
    """Quantize to cents with the business's rounding rule (half-up by default, as US sales-tax rules require)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUNDING_MODES[rounding])
