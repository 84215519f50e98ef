"""The signed, expiring link that proves an address: it opens every booking of that address.

The token is the id of the email-log row that carried it, signed with a timestamp
(`TimestampSigner`, its own salt). The address itself is never in the link, not even
encoded (a signed `dumps` payload is readable base64), so a forwarded link, an ESP's click
log or an access log does not name the person. The address is read from the log row, whose
`to` erasure replaces: once the address is erased, its old links open nothing.
"""

from django.core import signing

from bookings.models import EmailKind, EmailLog

SALT = "bookings.your-data"
LIFETIME_SECONDS = 60 * 60


def address_token(log: EmailLog) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(log.pk))


def address_from_token(token: str) -> str | None:
    """The proven address behind a token, or None when it is forged, expired or erased."""
    try:
        log_id = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LIFETIME_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    rows = EmailLog.objects.select_related("booking", "waitlist_entry")
    log = rows.filter(pk=int(log_id), kind=EmailKind.PRIVACY_LINK).first()
    if log is None or (log.booking or log.waitlist_entry).erased_at:
        return None
    return log.to
