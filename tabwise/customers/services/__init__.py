"""Everything that changes customers. Keyword-only functions taking the `actor`; each runs one transaction, writes
its audit events and raises DomainError naming the field at fault.

    customers  create_customer, update_customer, edit_customer (a whole edit page), set_tags
    contacts   add_phone, add_email, add_address, add_employer, end_contact_point, replace_contact_point
    identity   add_earlier_name, set_ssn, add_licence, reveal_ssn_last4 (a logged read)
    bulk       create_customers (an import)
    family     add_family_member, separate_family_member
    vehicles   add_vehicle, update_vehicle, disable_vehicle, enable_vehicle, record_mileage, record_inspection,
               record_invoice_mileage (the ledger's hook when it posts an invoice with a vehicle and a mileage)
"""

from tabwise.customers.services.bulk import create_customers
from tabwise.customers.services.contacts import (
    KINDS,
    ContactPoint,
    add_address,
    add_email,
    add_employer,
    add_phone,
    end_contact_point,
    replace_contact_point,
)
from tabwise.customers.services.customers import (
    ContactChange,
    CustomerChanges,
    create_customer,
    edit_customer,
    set_tags,
    update_customer,
)
from tabwise.customers.services.family import add_family_member, separate_family_member
from tabwise.customers.services.identity import add_earlier_name, add_licence, reveal_ssn_last4, set_ssn
from tabwise.customers.services.inputs import (
    AddressIn,
    CustomerIn,
    EarlierNameIn,
    EmailIn,
    EmployerIn,
    LicenceIn,
    PhoneIn,
)
from tabwise.customers.services.vehicles import (
    VehicleIn,
    add_vehicle,
    disable_vehicle,
    enable_vehicle,
    record_inspection,
    record_invoice_mileage,
    record_mileage,
    update_vehicle,
)

__all__ = [
    "KINDS",
    "AddressIn",
    "ContactChange",
    "ContactPoint",
    "CustomerChanges",
    "CustomerIn",
    "EarlierNameIn",
    "EmailIn",
    "EmployerIn",
    "LicenceIn",
    "PhoneIn",
    "VehicleIn",
    "add_address",
    "add_earlier_name",
    "add_email",
    "add_employer",
    "add_family_member",
    "add_licence",
    "add_phone",
    "add_vehicle",
    "create_customer",
    "create_customers",
    "disable_vehicle",
    "edit_customer",
    "enable_vehicle",
    "end_contact_point",
    "record_inspection",
    "record_invoice_mileage",
    "record_mileage",
    "replace_contact_point",
    "reveal_ssn_last4",
    "separate_family_member",
    "set_ssn",
    "set_tags",
    "update_customer",
    "update_vehicle",
]
