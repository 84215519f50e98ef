"""ESP tracking webhooks (Mailgun's real payload and signature) update the email log."""

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.urls import include, path, reverse

from config import urls as site_urls
from config.esp_webhooks import tracking_urlpatterns

from bookings.models import EmailLog
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-mailgun-webhook-signing"
WEBHOOK_SECRET = "esp:webhook-secret"
WITH_SECRET = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()}


@pytest.fixture(autouse=True)
def mailgun_webhooks(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.fixture
def sent_log():
    from decimal import Decimal

    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"))
    place_booking(cohort_id=cohort.pk, participant=participant_for(program))
    plan_emails()
    log = send_planned_email(log_id=EmailLog.objects.get().pk, organisation="Circles")
    # What Mailgun's API would have answered for this message.
    EmailLog.objects.filter(pk=log.pk).update(esp_message_id="<20261124120000.1.ABCDEF@mg.example.org>")
    return log


def mailgun_event(event: str, *, key=SIGNING_KEY, **extra) -> dict:
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "event": event,
        "timestamp": time.time(),
        "id": secrets.token_hex(8),
        "recipient": "person0@example.org",
        "message": {"headers": {"message-id": "20261124120000.1.ABCDEF@mg.example.org"}},
        **extra,
    }
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": data}


def post(client, payload, auth=WITH_SECRET):
    return client.post(reverse("anymail:mailgun_tracking_webhook"), json.dumps(payload), content_type="application/json",
                       **auth)


def test_a_delivered_event_updates_the_log(client, sent_log):
    assert post(client, mailgun_event("delivered")).status_code == 200
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == "delivered"


def test_a_bounce_is_kept_even_if_an_open_arrives_later(client, sent_log):
    bounce = mailgun_event(
        "failed", severity="permanent", reason="bounce",
        **{"delivery-status": {"code": 550, "description": "Mailbox does not exist"}},
    )
    post(client, bounce)
    post(client, mailgun_event("opened"))
    sent_log.refresh_from_db()
    assert (sent_log.delivery_status, sent_log.delivery_detail) == ("bounced", "Mailbox does not exist")


def test_a_complaint_is_recorded(client, sent_log):
    post(client, mailgun_event("complained"))
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == "complained"


def test_a_bad_signature_changes_nothing(client, sent_log):
    response = post(client, mailgun_event("delivered", key="not-the-key"))
    assert response.status_code == 400
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""


def test_an_event_for_an_unknown_message_is_acknowledged(client, sent_log):
    payload = mailgun_event("delivered")
    payload["event-data"]["message"]["headers"]["message-id"] = "someone-else@mg.example.org"
    assert post(client, payload).status_code == 200
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""


def test_staff_see_each_message_and_its_delivery_status(client, sent_log, staff_client):
    post(client, mailgun_event("delivered"))
    listing = staff_client.get(reverse("email_log:index")).content.decode()
    assert "person0@example.org" in listing and "delivered" in listing
    assert staff_client.get(reverse("email_log:edit", args=[sent_log.pk])).status_code in (302, 403)


def test_an_event_without_the_webhook_secret_is_refused_and_changes_nothing(client, sent_log):
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"esp:guessed").decode()}
    assert post(client, mailgun_event("failed", severity="permanent"), auth={}).status_code == 400
    assert post(client, mailgun_event("failed", severity="permanent"), auth=wrong).status_code == 400
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""


def test_with_no_webhook_secret_configured_every_event_is_refused(client, sent_log, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    assert post(client, mailgun_event("complained"), auth={}).status_code == 403
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""


@pytest.mark.parametrize("body", ["not json", "{}", '{"signature": "x"}', "[1, 2]"])
def test_garbage_with_the_right_secret_is_a_4xx_not_a_500(client, sent_log, body):
    response = client.post(reverse("anymail:mailgun_tracking_webhook"), body, content_type="application/json",
                           **WITH_SECRET)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("esp", ["postmark", "sendgrid", "amazon_ses", "mandrill"])
def test_the_webhooks_of_esps_not_in_use_are_not_there(client, sent_log, esp):
    forged_bounce = {"RecordType": "Bounce", "MessageID": "20261124120000.1.ABCDEF@mg.example.org", "Type": "HardBounce"}
    response = client.post(f"/anymail/{esp}/tracking/", json.dumps(forged_bounce), content_type="application/json",
                           **WITH_SECRET)
    assert response.status_code == 404
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""


# The site's URLs as they are when EMAIL_BACKEND names Postmark.
urlpatterns = [
    path("anymail/", include((tracking_urlpatterns("postmark"), "anymail"))),
    *[pattern for pattern in site_urls.urlpatterns if str(pattern.pattern) != "anymail/"],
]


@pytest.mark.urls(__name__)
def test_a_site_sending_through_postmark_mounts_postmark_only_and_guards_it(client, sent_log, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    forged_bounce = json.dumps({"RecordType": "Bounce", "MessageID": "x", "Type": "HardBounce", "TypeCode": 1})
    url = reverse("anymail:postmark_tracking_webhook")
    assert client.post(url, forged_bounce, content_type="application/json").status_code == 400
    assert client.post(url, "garbage", content_type="application/json", **WITH_SECRET).status_code == 400
    assert client.post("/anymail/mailgun/tracking/", "{}", content_type="application/json").status_code == 404
    sent_log.refresh_from_db()
    assert sent_log.delivery_status == ""
