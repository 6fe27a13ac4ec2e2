from django.contrib import admin

from tabwise.tenants.models import Business


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "time_zone", "city", "state"]
    search_fields = ["name", "slug"]
