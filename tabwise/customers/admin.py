from django.contrib import admin

from tabwise.core.admin import OperatorAdmin
from tabwise.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(OperatorAdmin):
    list_display = ["number", "display_name", "business", "status", "is_ar"]
    list_filter = ["status", "is_ar"]
    search_fields = ["number", "last_name", "company_name"]
    readonly_fields = ["business"]
