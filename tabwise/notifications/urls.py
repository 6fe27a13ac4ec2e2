from django.urls import path

from tabwise.notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
]
