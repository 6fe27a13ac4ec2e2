"""Fixed tables behind the demo data: the three regions (real towns and ZIP codes, area codes) and local names.

Everything here is plain data; `generator.py` draws from it with seeded random generators.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A real town with some of its real ZIP codes; `weight` is roughly how many customers live there."""

    city: str
    zips: tuple[str, ...]
    weight: int


@dataclass(frozen=True)
class Region:
    """The area a demo business serves: towns, the area codes its people's phones carry, and its mix of names."""

    state: str
    places: tuple[Place, ...]
    area_codes: tuple[tuple[str, int], ...]  # (area code, weight)
    hispanic_share: float  # share of households with Spanish (es_MX) names
    neighbour_states: tuple[str, ...] = ()  # plates from across the state line


JOLIET = Region(
    state="IL",
    places=(
        Place("Joliet", ("60431", "60432", "60433", "60435", "60436"), 30),
        Place("Plainfield", ("60544", "60585", "60586"), 10),
        Place("Romeoville", ("60446",), 7),
        Place("Lockport", ("60441",), 7),
        Place("Crest Hill", ("60403",), 5),
        Place("Shorewood", ("60404",), 4),
        Place("New Lenox", ("60451",), 6),
        Place("Bolingbrook", ("60440", "60490"), 7),
        Place("Minooka", ("60447",), 4),
        Place("Channahon", ("60410",), 3),
        Place("Mokena", ("60448",), 3),
        Place("Manhattan", ("60442",), 2),
        Place("Elwood", ("60421",), 1),
        Place("Morris", ("60450",), 4),
        Place("Frankfort", ("60423",), 3),
        Place("Naperville", ("60564", "60565"), 4),
    ),
    area_codes=(("815", 60), ("779", 15), ("630", 25)),
    hispanic_share=0.14,
    neighbour_states=("IN",),
)

DAYTON = Region(
    state="OH",
    places=(
        Place("Dayton", ("45402", "45403", "45404", "45405", "45406", "45410", "45414", "45419", "45420"), 30),
        Place("Kettering", ("45409", "45429", "45440"), 10),
        Place("Beavercreek", ("45430", "45431", "45432", "45434"), 8),
        Place("Centerville", ("45458", "45459"), 7),
        Place("Huber Heights", ("45424",), 7),
        Place("Fairborn", ("45324",), 5),
        Place("Xenia", ("45385",), 4),
        Place("Vandalia", ("45377",), 3),
        Place("Miamisburg", ("45342",), 5),
        Place("Springboro", ("45066",), 3),
        Place("Englewood", ("45322",), 3),
        Place("Trotwood", ("45426",), 3),
        Place("West Carrollton", ("45449",), 3),
        Place("Oakwood", ("45419",), 2),
    ),
    area_codes=(("937", 90), ("326", 10)),
    hispanic_share=0.04,
    neighbour_states=("KY", "IN", "MI"),
)

HOUSTON = Region(
    state="TX",
    places=(
        Place(
            "Houston",
            (
                "77003",
                "77007",
                "77008",
                "77011",
                "77012",
                "77017",
                "77020",
                "77023",
                "77026",
                "77036",
                "77040",
                "77055",
                "77061",
                "77074",
                "77080",
                "77087",
                "77092",
            ),
            40,
        ),
        Place("Pasadena", ("77502", "77503", "77504", "77506"), 8),
        Place("Baytown", ("77520", "77521"), 5),
        Place("Katy", ("77449", "77450", "77494"), 6),
        Place("Spring", ("77373", "77379", "77388"), 6),
        Place("Humble", ("77338", "77346"), 4),
        Place("Pearland", ("77581", "77584"), 5),
        Place("Sugar Land", ("77478", "77479"), 4),
        Place("Cypress", ("77429", "77433"), 4),
        Place("Tomball", ("77375",), 3),
        Place("Channelview", ("77530",), 3),
        Place("La Porte", ("77571",), 3),
        Place("Deer Park", ("77536",), 3),
        Place("Galena Park", ("77547",), 2),
        Place("Missouri City", ("77459", "77489"), 4),
    ),
    area_codes=(("713", 35), ("281", 30), ("832", 30), ("346", 5)),
    hispanic_share=0.30,
    neighbour_states=("LA",),
)

# Where the tool truck's customers work: ~40 shops on its route (town or street + kind of shop).
SHOP_PLACES = (
    "Joliet",
    "Plainfield",
    "Lockport",
    "Romeoville",
    "Crest Hill",
    "Shorewood",
    "New Lenox",
    "Bolingbrook",
    "Minooka",
    "Channahon",
    "Mokena",
    "Morris",
    "Frankfort",
    "Route 30",
    "Route 59",
    "Larkin Ave",
    "Jefferson St",
    "Cass St",
    "Will County",
    "Prairie State",
    "I-80",
    "I-55",
    "Des Plaines River",
    "Black Road",
    "Caton Farm",
)
SHOP_KINDS = (
    "Auto Repair",
    "Collision Center",
    "Tire & Auto",
    "Truck & Diesel",
    "Transmission",
    "Auto Body",
    "Brake & Muffler",
    "Fleet Service",
    "Automotive",
    "Car Care",
    "Quick Lube",
    "Towing & Repair",
)
SHOP_COUNT = 40

# Where the shop's customers work (a few large employers around Dayton, as an employer field often reads).
DAYTON_EMPLOYERS = (
    "Wright-Patterson AFB",
    "Premier Health",
    "Kettering Health",
    "University of Dayton",
    "CareSource",
    "Montgomery County",
    "Dayton Public Schools",
    "Reynolds and Reynolds",
    "Sinclair College",
    "City of Kettering",
    "Greene County",
    "Miami Valley Hospital",
)

# The shop's fleet customers: local trades with vans and pickups.
FLEET_PLACES = (
    "Miami Valley",
    "Gem City",
    "Kettering",
    "Beavercreek",
    "Centerville",
    "Huber Heights",
    "Fairborn",
    "Xenia",
    "Vandalia",
    "Miamisburg",
    "Oakwood",
    "Riverside",
    "Englewood",
    "Trotwood",
    "Mad River",
)
FLEET_TRADES = (
    "Plumbing",
    "Electric",
    "Heating & Cooling",
    "Lawn & Landscape",
    "Roofing",
    "Courier",
    "Pest Control",
    "Cleaning Services",
    "Property Management",
    "Home Health",
    "Glass & Mirror",
    "Flooring",
)

# The wholesaler's customers: repair shops, fleets and yards around Houston.
WHOLESALE_PLACES = (
    "Bayou City",
    "Gulfgate",
    "Pasadena",
    "Katy",
    "Spring",
    "Humble",
    "Pearland",
    "Baytown",
    "Channelview",
    "Sugar Land",
    "Cypress",
    "Tomball",
    "Galena Park",
    "Westheimer",
    "Harrisburg",
    "Telephone Rd",
    "Airline Dr",
    "Aldine",
    "Alief",
    "Magnolia Park",
    "Almeda",
    "Hobby",
    "Northside",
    "Heights",
    "Kingwood",
    "Atascocita",
    "Friendswood",
    "League City",
    "Webster",
    "La Porte",
    "Deer Park",
    "Stafford",
    "Missouri City",
    "Rosenberg",
    "Conroe",
    "Ship Channel",
    "Gulf Freeway",
    "Beltway 8",
    "Hempstead Hwy",
    "Navigation Blvd",
)
WHOLESALE_KINDS = (
    "Auto Repair",
    "Truck & Trailer Repair",
    "Fleet Service",
    "Auto Parts",
    "Diesel",
    "Collision",
    "Transmission",
    "Tire & Service",
    "Marine Service",
    "Equipment Rental",
    "Towing",
    "Motors",
    "Hydraulics",
    "Auto Electric",
)
COMPANY_ENDINGS = ("", "", "", " LLC", " Inc.", " Co.")

# Notes an office writes on a few accounts.
CUSTOMER_NOTES = (
    "Pays on Fridays after payday.",
    "Call the shop, not the cell, during work hours.",
    "Prefers text reminders.",
    "Ask for the service manager when calling the shop.",
    "Wants a printed receipt every time.",
    "Works second shift; reach after 3 pm.",
)

SMS_CONSENT_SOURCES = (
    "Signed the credit application (SMS box ticked)",
    "Texted START to the business number",
    "Verbal consent, noted by the office",
    "Ticked the box on the customer portal",
)
