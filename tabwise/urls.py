"""Web routes. Every route is walked as another business by tests/test_tenancy_walk.py."""

from django.contrib import admin
from django.urls import include, path

from tabwise.api import api
from tabwise.core import views as core_views

admin.site.site_header = "Tabwise operator"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("tabwise.users.urls")),
    path("customers/", include("tabwise.customers.urls")),
    path("messages/", include("tabwise.notifications.urls")),
    path("receivables/", include("tabwise.ledger.urls")),
    path("cleanup/", include("tabwise.cleanup.urls")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
