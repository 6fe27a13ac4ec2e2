"""Money: always Decimal, two places, rounded in exactly one place."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Q, Sum, Window
from django.db.models.functions import Round

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


class MoneySum(Round):
    """The sum of an amount of money, exact to the cent on every database; 0.00 when nothing is summed.

    SQLite sums decimals in binary floating point: 0.10 + 0.70 comes back as 0.800000000000000, and a balance that
    nets to zero as 5.6E-17, which `total__gt=0` would count as owing. So the sum is rounded to the cent in the
    database (filters and ordering on it are exact) and quantized again in Python (the value is exactly 0.80, as
    PostgreSQL gives it). Use it wherever money is summed, as an aggregate or a grouped annotation:
    `rows.aggregate(total=MoneySum("amount"))["total"]`, `rows.values("key").annotate(total=MoneySum("amount"))`;
    with `order_by`, it is a running sum over the rows in that order (a window: a balance after each entry).
    """

    def __init__(self, expression: Any, *, filter: Q | None = None, order_by: Sequence[Any] | None = None) -> None:
        total: Any = Sum(expression, filter=filter, output_field=MoneyField())
        if order_by is not None:
            total = Window(total, order_by=list(order_by), output_field=MoneyField())
        super().__init__(total, 2, output_field=MoneyField())

    def convert_value(self, value: Any, expression: Any, connection: Any) -> Decimal:
        # After the backend's own converter (a Decimal of the float on SQLite); rounded already, so any rule is exact.
        return Decimal("0.00") if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
