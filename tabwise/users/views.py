"""Sign-in with a second factor, users, the "Set security" page, API tokens and background tasks."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.users import selectors, services
from tabwise.users.forms import ApiTokenForm, TokenForm, UserForm
from tabwise.users.security import requires


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up TOTP (first time) or verify a code (every sign-in)."""
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="default", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    context = {"form": form, "setting_up": setting_up, "next": _safe_next(request)}
    if setting_up:
        qr = segno.make(device.config_url)
        context["qr_svg"] = "data:image/svg+xml;base64," + base64.b64encode(qr.svg_inline(scale=4).encode()).decode()
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "users/two_factor.html", context)


@requires("users.set_security")
@require_http_methods(["GET", "POST"])
def set_security(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        errors = 0
        for function, current in selectors.security_table(request.user):
            raw = request.POST.get(f"level:{function.name}")
            if raw is None or raw == str(current):
                continue
            try:
                services.set_function_level(actor=request.user, function=function.name, level=int(raw))
            except (DomainError, ValueError):
                errors += 1
        if errors:
            messages.error(request, _("Some levels were not saved: choose 1 to 5."))
        else:
            messages.success(request, _("Security levels saved."))
        return redirect("users:security")
    return render(
        request, "users/security.html", {"rows": selectors.security_table(request.user), "levels": range(1, 6)}
    )


@requires("users.manage_users")
@require_http_methods(["GET", "POST"])
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_user(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("User added."))
            return redirect("users:list")
    return render(request, "users/user_list.html", {"users": selectors.users_of_business(), "form": form})


@requires("users.manage_api_tokens")
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.create_api_token(actor=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(request, "users/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@requires("users.manage_api_tokens")
@require_http_methods(["POST"])
def revoke_api_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(actor=request.user, token_id=token_id)
    except DomainError as error:
        raise Http404(error.message) from error
    messages.success(request, _("Token revoked."))
    return redirect("users:tokens")


@requires("users.view_tasks")
def background_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "users/tasks.html", {"results": selectors.task_results_for(request.business)})
