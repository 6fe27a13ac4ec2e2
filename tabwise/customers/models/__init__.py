"""Customers of a business: who they are, how to reach them, and everything they were known by before.

Split by concept: `customers` (the customer, tags, earlier names), `contacts` (phones, emails, addresses,
employers), `identity` (licences, SSN/ITIN), `vehicles`, `search` (the quick-search keys).
"""

from tabwise.customers.models.contacts import Address, Email, Employer, Phone
from tabwise.customers.models.customers import Customer, CustomerTag, EarlierName, Tag
from tabwise.customers.models.identity import IdentityDocument
from tabwise.customers.models.search import SearchKey
from tabwise.customers.models.vehicles import Inspection, MileageReading, Vehicle

__all__ = [
    "Address",
    "Customer",
    "CustomerTag",
    "EarlierName",
    "Email",
    "Employer",
    "IdentityDocument",
    "Inspection",
    "MileageReading",
    "Phone",
    "SearchKey",
    "Tag",
    "Vehicle",
]
