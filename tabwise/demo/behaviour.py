"""How each demo customer pays (`behaviour_for`) and the status that follows from it (`status_for`).

Both are fixed functions of the customer number and the seed, so any step can ask without sharing state.
"""

from __future__ import annotations

from enum import StrEnum

from tabwise.customers.models import Customer
from tabwise.demo.run import digest


class Behaviour(StrEnum):
    """How a demo customer pays; `tabwise.demo.ledger.payers` turns it into two years of payments.

    - steady: pays every week (tool truck) or each statement within days, rarely misses one.
    - slow: misses a quarter of the payments and pays one to five weeks late, often short.
    - seasonal: pays well in season and falls behind in the same months each year (winter for mechanics,
      summer heat and hurricanes in Houston), then catches up.
    - slowing: paid steadily until four to seven months ago; payments have been getting smaller and later since.
    - changed_bank: pays steadily by check, but moved banks a few months ago; the first check after the move was
      written on the closed account, came back, and was paid again late from the new one.
    - skipped: stopped paying and cannot be reached (phone disconnected, mail returned); the balance is
      outstanding (status "skipped"), or written off when it is old enough.
    """

    STEADY = "steady"
    SLOW = "slow"
    SEASONAL = "seasonal"
    SLOWING = "slowing"
    CHANGED_BANK = "changed_bank"
    SKIPPED = "skipped"


_BEHAVIOUR_SHARES: tuple[tuple[Behaviour, int], ...] = (  # out of 100
    (Behaviour.STEADY, 58),
    (Behaviour.SLOW, 18),
    (Behaviour.SEASONAL, 8),
    (Behaviour.SLOWING, 7),
    (Behaviour.CHANGED_BANK, 5),
    (Behaviour.SKIPPED, 4),
)
_INACTIVE_PERCENT = 12  # of steady and slow customers: paid up and no longer buying


def behaviour_for(customer_number: str, seed: int) -> Behaviour:
    """How the demo customer numbered `customer_number` pays, fixed by the seed (see `Behaviour`).

    Demo customer numbers do not repeat across the demo businesses, so the number alone picks the customer.
    """
    bucket = int.from_bytes(digest(seed, "behaviour", customer_number)[:4], "big") % 100
    for behaviour, share in _BEHAVIOUR_SHARES:
        if bucket < share:
            return behaviour
        bucket -= share
    raise AssertionError("the shares add up to 100")


def status_for(customer_number: str, seed: int, *, is_ar: bool = True) -> Customer.Status:
    """A demo customer's status: skipped customers are "skipped"; some steady or slow ones (all of them cash
    customers alike) are "inactive", meaning paid up with nothing bought for months; the rest are active."""
    behaviour = behaviour_for(customer_number, seed)
    if is_ar and behaviour is Behaviour.SKIPPED:
        return Customer.Status.SKIPPED
    inactive = digest(seed, "inactive", customer_number)[0] % 100 < _INACTIVE_PERCENT
    if inactive and (not is_ar or behaviour in (Behaviour.STEADY, Behaviour.SLOW)):
        return Customer.Status.INACTIVE
    return Customer.Status.ACTIVE
