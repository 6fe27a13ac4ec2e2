"""Demo vehicles: a small table of realistic makes and models, and VINs with a valid check digit.

A VIN is 17 characters from digits and capital letters other than I, O and Q: the manufacturer's code (WMI,
positions 1-3), the vehicle descriptor (4-8), the check digit (9), the model-year code (10), the plant (11) and
a serial number (12-17). The check digit is the sum of each character's value (digits as themselves, letters
transliterated) times its position's weight, modulo 11, with 10 written as "X" (49 CFR 565.15).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_TRANSLITERATION = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Model-year codes repeat every 30 years; from 2010 they are letters again (A = 2010), skipping I, O, Q, U, Z, 0.
_YEAR_CODES_FROM_2010 = "ABCDEFGHJKLMNPRSTVWXY"
_YEAR_CODES_2001 = "123456789"


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) a 17-character VIN should carry; position 9 itself is ignored."""
    if len(vin) != 17:
        raise ValueError("A VIN has 17 characters.")
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin.upper(), _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def model_year_code(year: int) -> str:
    if 2010 <= year < 2010 + len(_YEAR_CODES_FROM_2010):
        return _YEAR_CODES_FROM_2010[year - 2010]
    if 2001 <= year <= 2009:
        return _YEAR_CODES_2001[year - 2001]
    raise ValueError(f"No demo model-year code for {year}.")


@dataclass(frozen=True)
class Model:
    """A make and model sold in the US over `first_year..last_year`, with its maker's WMI."""

    make: str
    model: str
    first_year: int
    last_year: int
    wmi: str
    weight: int = 1


# Passenger cars, SUVs and pickups an Ohio shop sees most (weights roughly follow how common they are).
CARS = (
    Model("Ford", "F-150", 2006, 2025, "1FT", 9),
    Model("Chevrolet", "Silverado 1500", 2006, 2025, "1GC", 8),
    Model("Ram", "1500", 2011, 2025, "1C6", 5),
    Model("Toyota", "Camry", 2006, 2025, "4T1", 6),
    Model("Toyota", "Corolla", 2006, 2025, "2T1", 5),
    Model("Toyota", "RAV4", 2008, 2025, "2T3", 5),
    Model("Honda", "Accord", 2006, 2025, "1HG", 6),
    Model("Honda", "Civic", 2006, 2025, "2HG", 5),
    Model("Honda", "CR-V", 2007, 2025, "5J6", 6),
    Model("Honda", "Odyssey", 2008, 2025, "5FN", 2),
    Model("Chevrolet", "Equinox", 2010, 2025, "2GN", 6),
    Model("Chevrolet", "Malibu", 2008, 2024, "1G1", 4),
    Model("Chevrolet", "Traverse", 2009, 2025, "1GN", 3),
    Model("Ford", "Escape", 2008, 2025, "1FM", 5),
    Model("Ford", "Explorer", 2011, 2025, "1FM", 4),
    Model("Ford", "Fusion", 2010, 2020, "3FA", 3),
    Model("Jeep", "Grand Cherokee", 2011, 2025, "1C4", 4),
    Model("Jeep", "Wrangler", 2007, 2025, "1C4", 3),
    Model("Jeep", "Cherokee", 2014, 2023, "1C4", 3),
    Model("Nissan", "Altima", 2007, 2025, "1N4", 4),
    Model("Nissan", "Rogue", 2008, 2025, "5N1", 4),
    Model("Hyundai", "Elantra", 2007, 2025, "5NP", 3),
    Model("Hyundai", "Santa Fe", 2010, 2025, "5NM", 2),
    Model("Kia", "Sorento", 2011, 2025, "5XY", 2),
    Model("Kia", "Soul", 2010, 2025, "KNA", 2),
    Model("Subaru", "Outback", 2010, 2025, "4S4", 2),
    Model("Subaru", "Forester", 2009, 2025, "JF2", 2),
    Model("GMC", "Sierra 1500", 2007, 2025, "1GT", 3),
    Model("GMC", "Terrain", 2010, 2025, "2GK", 2),
    Model("Dodge", "Grand Caravan", 2008, 2020, "2C4", 3),
    Model("Dodge", "Charger", 2010, 2023, "2C3", 2),
    Model("Buick", "Enclave", 2008, 2025, "5GA", 2),
    Model("Chrysler", "Pacifica", 2017, 2025, "2C4", 2),
    Model("Volkswagen", "Jetta", 2006, 2025, "3VW", 2),
    Model("Mazda", "CX-5", 2013, 2025, "JM3", 2),
    Model("Tesla", "Model 3", 2017, 2025, "5YJ", 1),
)

# What fleet customers run: work vans and heavy-duty pickups.
FLEET = (
    Model("Ford", "Transit 250", 2015, 2025, "1FT", 6),
    Model("Ford", "F-250 Super Duty", 2008, 2025, "1FT", 5),
    Model("Ford", "E-350", 2008, 2025, "1FD", 2),
    Model("Ford", "Transit Connect", 2010, 2023, "NM0", 3),
    Model("Ram", "ProMaster 2500", 2014, 2025, "3C6", 4),
    Model("Ram", "2500", 2011, 2025, "3C6", 3),
    Model("Chevrolet", "Express 2500", 2008, 2025, "1GC", 4),
    Model("Chevrolet", "Silverado 2500HD", 2008, 2025, "1GC", 3),
    Model("Nissan", "NV200", 2013, 2021, "3N6", 2),
    Model("Toyota", "Tacoma", 2008, 2025, "3TM", 2),
)


def make_vin(rng: random.Random, model: Model, year: int) -> str:
    """A plausible VIN for `model` of `year` with a valid check digit."""
    descriptor = "".join(rng.choice(VIN_ALPHABET) for _ in range(5))
    # Position 7 tells the two 30-year cycles of the year code apart (49 CFR 565.15): a letter for 2010 on, a digit
    # before, so the VIN decodes to the model year it was made for.
    cycle = VIN_ALPHABET[10:] if year >= 2010 else VIN_ALPHABET[:10]
    descriptor = descriptor[:3] + cycle[VIN_ALPHABET.index(descriptor[3]) % len(cycle)] + descriptor[4]
    plant = rng.choice(VIN_ALPHABET[10:])
    serial = f"{rng.randrange(1_000_000):06d}"
    draft = f"{model.wmi}{descriptor}0{model_year_code(year)}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]
