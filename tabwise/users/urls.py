from django.contrib.auth import views as auth_views
from django.urls import path

from tabwise.users import views

app_name = "users"

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/tokens/", views.api_tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_api_token, name="token-revoke"),
    path("admin/users/", views.user_list, name="list"),
    path("admin/security/", views.set_security, name="security"),
    path("admin/tasks/", views.background_tasks, name="tasks"),
]
