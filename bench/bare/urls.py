from django.urls import path

from bench.bare import views
from bench.bare.api import api

urlpatterns = [
    path("accounts/", views.account_list, name="account-list"),
    path("api/", api.urls),
]
