"""Two-factor sign-in to the Wagtail admin: a TOTP app's code after the password.

Built on django-otp's public API (its OTPMiddleware marks `request.user.is_verified()`, its
TOTP devices check codes and throttle wrong ones); wagtail-2fa, the package that did this for
Wagtail, does not import under Wagtail 8. ADMIN_2FA (config/settings.py) says who must:

- "required": every signed-in user reaching the admin sets up a device, then enters its code;
- "optional": a user who has set up a device enters its code; others pass (and may set one up);
- "off": nobody is asked.

Until then every admin URL (pages, snippets, the admin API) answers with a redirect to the
code or set-up page; only signing in and out, and those two pages, are let through.
"""

from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, login as otp_login, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

LET_THROUGH = {
    "wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_javascript_catalog", "wagtailadmin_sprite",
    "admin-2fa-verify", "admin-2fa-setup",
}


def two_factor_step(user) -> str | None:
    """The URL name of the step `user` still owes before the admin, or None."""
    if settings.ADMIN_2FA == "off" or not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return "admin-2fa-verify"
    return "admin-2fa-setup" if settings.ADMIN_2FA == "required" else None


class AdminTwoFactorMiddleware:
    """After django-otp's OTPMiddleware: no admin URL before the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            step = two_factor_step(request.user)
            if step and url_name(request.path_info) not in LET_THROUGH:
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


class CodeForm(forms.Form):
    code = forms.RegexField(regex=r"^\d{6}$", label="6-digit code", error_messages={"invalid": "Enter the 6 digits."},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


def next_url(request) -> str:
    wanted = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("wagtailadmin_home")


@never_cache
@sensitive_post_parameters("code")
@login_required(login_url="wagtailadmin_login")
def verify(request):
    """Enter the code of a device set up earlier."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # verify_token throttles: after a wrong code each next try waits longer.
        device = next((d for d in devices_for_user(request.user, confirmed=True)
                       if d.verify_token(form.cleaned_data["code"])), None)
        if device is not None:
            otp_login(request, device)
            return redirect(next_url(request))
        form.add_error("code", "That code is not right, or came too late. Try the current one.")
    return render(request, "admin_2fa/verify.html", {"form": form}, status=422 if form.errors else 200)


@never_cache
@sensitive_post_parameters("code")
@login_required(login_url="wagtailadmin_login")
def setup(request):
    """Set up an authenticator app: scan the QR code, confirm with its first code."""
    if user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('admin-2fa-verify')}?{urlencode({'next': next_url(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url(request))
        form.add_error("code", "That code is not right. Check the app's clock and try the current one.")
    # segno writes the SVG itself from the device's otpauth:// URL; nothing in it comes from a reader.
    qr_code = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4))
    return render(request, "admin_2fa/setup.html", {"form": form, "qr_code": qr_code, "device": device},
                  status=422 if form.errors else 200)
