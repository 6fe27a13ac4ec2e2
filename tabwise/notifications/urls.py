from django.urls import path

from tabwise.notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
    path("sms/inbound/", views.sms_inbound, name="sms-inbound"),
    path("sms/status/", views.sms_status, name="sms-status"),
]
