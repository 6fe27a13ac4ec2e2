from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tabwise.users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "business", "level", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["business", "level", "is_active", "is_staff"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Tabwise", {"fields": ("business", "level", "phone", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Tabwise", {"fields": ("business", "level")}),
    )
