"""What the demo businesses sell: plain data the ledger step draws its invoice lines from.

Prices are list prices in dollars with the business's cost beside them (for margins); `weekly` on a tool-truck
plan item is the usual instalment agreed for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    code: str
    description: str
    price: Decimal
    cost: Decimal
    max_quantity: int = 1
    weekly: Decimal = Decimal("0")  # tool truck: the instalment a plan for this item usually runs at


def _item(code: str, description: str, price: str, cost: str, max_quantity: int = 1, weekly: str = "0") -> Item:
    return Item(code, description, Decimal(price), Decimal(cost), max_quantity, Decimal(weekly))


# --- the tool truck --------------------------------------------------------------------------------------------

TRUCK_SMALL = (
    _item("FR80", "3/8 in. drive ratchet, 80-tooth", "89.00", "52.10"),
    _item("OEXM710", "Combination wrench set, metric 10-19 mm, 10 pc", "145.00", "86.00"),
    _item("SDDX80", "Screwdriver set, 8 pc", "62.00", "35.40"),
    _item("PL400", "Pliers set, 4 pc", "78.00", "44.90"),
    _item("IMFM21", "Impact socket, 1/2 in. drive, 21 mm", "14.50", "7.60", 4),
    _item("SPBS24", "Pry bar, 24 in.", "42.00", "22.80"),
    _item("PU7", "Magnetic pick-up tool, telescoping", "18.95", "9.10", 2),
    _item("ECLW", "LED work light, rechargeable", "69.00", "37.50"),
    _item("TXB117", "Torx bit socket set, 17 pc", "98.00", "55.00"),
    _item("NGL100", "Nitrile gloves, box of 100", "16.50", "8.20", 4),
    _item("HCP10", "Hose clamp pliers, swivel jaw", "54.00", "29.90"),
    _item("BCK12", "Brake caliper piston tool kit", "129.00", "71.00"),
    _item("EEDM504", "Digital multimeter, auto-ranging", "189.00", "104.00"),
    _item("OFW4", "Oil filter wrench, 3-jaw", "24.00", "12.40"),
    _item("CTR761", "Cordless ratchet, 3/8 in., 14.4 V", "239.00", "139.00"),
    _item("PH3050", "Air hammer, long barrel", "165.00", "92.00"),
    _item("TPT6", "Trim panel tool set, 6 pc", "35.00", "17.80"),
    _item("FB300", "Feeler gauge, 26 blades", "12.75", "6.10"),
    _item("SHCN", "Shop towels, case of 25", "21.00", "10.90", 3),
    _item("BWS18", "Wobble extension set, 3 pc", "47.00", "25.30"),
)

# Big-ticket items sold on weekly payment plans. The tool set is priced so that with Illinois tax (8.75%) it comes
# to $1,200.00 at $25 a week, as the issue describes a typical plan.
TRUCK_PLAN = (
    _item("SET300", "Master mechanic tool set, 300 pc", "1103.45", "690.00", weekly="25.00"),
    _item("KRL722", "Roll cab tool box, 72 in., 18 drawers", "5495.00", "3380.00", weekly="60.00"),
    _item("KRA2411", "Top chest, 54 in., 11 drawers", "2395.00", "1460.00", weekly="40.00"),
    _item("ZEUS3", "Diagnostic scan tool, tablet", "3295.00", "2090.00", weekly="50.00"),
    _item("CT9075", "1/2 in. cordless impact wrench kit, 2 batteries", "549.00", "330.00", weekly="20.00"),
    _item("ACT500", "A/C recovery and recharge gauge set", "899.00", "545.00", weekly="25.00"),
    _item("TQ250", "Torque wrench set, 3 pc, 5-250 ft-lb", "695.00", "410.00", weekly="20.00"),
)

# --- the auto-service shop -------------------------------------------------------------------------------------

SHOP_LABOR_RATE = Decimal("135.00")


@dataclass(frozen=True)
class Job:
    """A kind of repair: its parts (item, quantity) and labour hours (low, high), and how often it comes up."""

    name: str
    parts: tuple[tuple[Item, int], ...]
    hours: tuple[str, str]
    weight: int


SHOP_JOBS = (
    Job(
        "Full synthetic oil change",
        (
            (_item("OIL-5W30", "Full synthetic oil 5W-30 (qt)", "9.25", "4.10"), 6),
            (_item("FLT-OIL", "Oil filter", "12.95", "4.80"), 1),
        ),
        ("0.4", "0.5"),
        40,
    ),
    Job(
        "Front brake pads and rotors",
        (
            (_item("BRK-PAD-F", "Ceramic brake pads, front", "89.99", "38.00"), 1),
            (_item("BRK-ROT-F", "Brake rotor, front", "79.50", "34.00"), 2),
        ),
        ("1.5", "2.0"),
        12,
    ),
    Job(
        "Four tires, mounted and balanced",
        (
            (_item("TIRE-AS", "All-season tire", "159.00", "108.00"), 4),
            (_item("MNT-BAL", "Mount and balance", "25.00", "0.00"), 4),
            (_item("TPMS-KIT", "TPMS service kit", "7.50", "2.40"), 4),
        ),
        ("0.0", "0.0"),
        7,
    ),
    Job(
        "Battery replacement",
        ((_item("BAT-H6", "Battery, group H6, 760 CCA", "189.00", "105.00"), 1),),
        ("0.3", "0.5"),
        6,
    ),
    Job("Check engine light diagnosis", (), ("1.0", "1.0"), 8),
    Job(
        "Alternator replacement",
        ((_item("ALT-RM", "Alternator, remanufactured", "289.00", "150.00"), 1),),
        ("1.5", "2.5"),
        3,
    ),
    Job("Coolant flush", ((_item("CLT-G05", "Coolant, 50/50 (gal)", "24.95", "11.00"), 2),), ("0.8", "1.0"), 5),
    Job(
        "Water pump and timing belt",
        ((_item("TBK-WP", "Timing belt kit with water pump", "310.00", "165.00"), 1),),
        ("3.5", "5.0"),
        2,
    ),
    Job(
        "A/C service and recharge",
        ((_item("REF-YF", "R-1234yf refrigerant (lb)", "39.00", "18.50"), 2),),
        ("1.0", "1.0"),
        4,
    ),
    Job("Four-wheel alignment", (), ("1.0", "1.0"), 6),
    Job("Front struts", ((_item("STRUT-F", "Strut assembly, front", "229.00", "121.00"), 2),), ("2.0", "3.0"), 3),
    Job(
        "Spark plugs and ignition coils",
        (
            (_item("SPK-IR", "Iridium spark plug", "18.50", "7.90"), 6),
            (_item("COIL-IGN", "Ignition coil", "89.00", "44.00"), 2),
        ),
        ("1.5", "2.5"),
        3,
    ),
)

# --- the wholesaler --------------------------------------------------------------------------------------------

WHOLESALE_PARTS = (
    _item("BP-D1210", "Disc brake pad set, ceramic", "42.80", "29.10", 12),
    _item("BR-54103", "Brake rotor, vented", "58.40", "39.70", 8),
    _item("OF-L14610", "Oil filter, case of 12", "49.20", "33.50", 6),
    _item("AF-CA10262", "Air filter, heavy duty", "38.60", "25.90", 10),
    _item("FF-FS19732", "Fuel/water separator filter", "44.10", "29.80", 10),
    _item("MO-15W40-55", "Engine oil 15W-40, 55 gal drum", "1188.00", "905.00", 1),
    _item("MO-5W30-CS", "Engine oil 5W-30, case of 12 qt", "61.80", "44.20", 10),
    _item("BAT-31", "Battery, group 31, 950 CCA", "189.50", "139.00", 6),
    _item("ALT-8LHA", "Alternator, 160 A, remanufactured", "212.00", "148.00", 3),
    _item("STR-39MT", "Starter motor, 12 V", "238.00", "166.00", 3),
    _item("BLT-K060923", "Serpentine belt", "32.40", "20.10", 12),
    _item("HSE-71218", "Radiator hose, upper", "24.90", "15.30", 10),
    _item("WB-22", "Wiper blade, 22 in.", "9.80", "5.40", 24),
    _item("WB-BRG-513", "Wheel bearing and hub assembly", "118.00", "79.00", 6),
    _item("CV-6017", "CV axle, front", "96.50", "63.00", 6),
    _item("SHK-5800", "Shock absorber, heavy duty", "74.20", "48.60", 8),
    _item("SP-IR4", "Spark plugs, iridium, box of 4", "36.40", "23.80", 12),
    _item("HYD-AW46-5", "Hydraulic oil AW46, 5 gal", "79.90", "55.10", 6),
    _item("DEF-275", "Diesel exhaust fluid, 275 gal tote", "495.00", "362.00", 1),
    _item("GRS-EP2-CS", "EP2 grease cartridges, case of 10", "52.60", "34.90", 8),
    _item("BRK-FL-DOT3", "Brake fluid DOT 3, case of 12", "48.00", "31.70", 4),
    _item("CLT-ELC-CS", "Extended-life coolant, case of 6 gal", "84.60", "58.90", 6),
    _item("LMP-9006", "Headlamp bulb 9006, pair", "14.20", "8.10", 12),
    _item("AIR-BRK-CH", "Air brake chamber, type 30/30", "64.90", "43.40", 6),
    _item("GLAD-HND", "Gladhand, service and emergency pair", "27.30", "16.80", 10),
    _item("FTG-KIT", "Brass fittings assortment", "68.00", "41.00", 2),
)
