"""Admin sign-in: a lockout after repeated wrong passwords, an idle timeout, and a second factor."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("staff", "staff@example.org", "the-right-password")


def sign_in(client, password, **headers):
    return client.post(LOGIN, {"username": "staff", "password": password}, **headers)


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_wrong_passwords_lock_the_account_out_from_that_address_even_for_the_right_one(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "guess").status_code == 200  # the form again, with its error
    assert sign_in(client, "guess").status_code == 429
    assert sign_in(client, "the-right-password").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_made_up_forwarded_for_header_does_not_escape_the_lockout(client, staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert sign_in(client, "the-right-password", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429


def test_the_right_password_signs_in_when_not_locked_out(client, staff):
    assert sign_in(client, "the-right-password").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_idle_admin_session_ends(client, staff, settings):
    client.force_login(staff)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=settings.ADMIN_IDLE_MINUTES - 1))
        assert client.get("/admin/").status_code == 200  # each request moves the expiry on
        clock.shift(timedelta(minutes=settings.ADMIN_IDLE_MINUTES + 1))
        assert client.get("/admin/").url.startswith(LOGIN)


ADMIN_URLS = ["/admin/", "/admin/pages/", "/admin/snippets/", "/admin/users/", "/admin/api/main/pages/",
              "/admin/documents/"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_with_2fa_required_no_admin_page_or_api_is_reached_before_a_device_is_set_up(client, staff, settings, url):
    settings.ADMIN_2FA = "required"
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admin-2fa-setup"))


def test_setting_up_a_device_with_its_first_code_lets_the_user_through(client, staff, settings):
    settings.ADMIN_2FA = "required"
    client.force_login(staff)
    page = client.get(reverse("admin-2fa-setup") + "?next=/admin/pages/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = "000000" if current_code(device) != "000000" else "111111"
        assert client.post(reverse("admin-2fa-setup"), {"code": wrong}).status_code == 422
        assert client.get("/admin/pages/").status_code == 302
        clock.shift(timedelta(seconds=2))  # django-otp makes each try after a wrong one wait longer
        answer = client.post(reverse("admin-2fa-setup") + "?next=/admin/pages/", {"code": current_code(device)})
    assert answer.status_code == 302 and answer.url == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


@pytest.mark.parametrize("mode", ["optional", "required"])
def test_a_user_with_a_device_enters_its_code_before_the_admin(client, staff, settings, mode):
    settings.ADMIN_2FA = mode
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    for url in ADMIN_URLS:
        assert client.get(url).url.startswith(reverse("admin-2fa-verify"))
    wrong = client.post(reverse("admin-2fa-verify"), {"code": "12345x"})
    assert wrong.status_code == 422
    assert client.post(reverse("admin-2fa-verify") + "?next=https://elsewhere.example/",
                       {"code": current_code(device)}).url == "/admin/"
    assert client.get("/admin/api/main/pages/").status_code == 200


def test_with_2fa_optional_a_user_without_a_device_is_not_asked(client, staff, settings):
    settings.ADMIN_2FA = "optional"
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_with_2fa_off_nobody_is_asked(client, staff, settings):
    settings.ADMIN_2FA = "off"
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
