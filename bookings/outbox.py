"""The local outbox: every message as one readable file under EMAIL_FILE_PATH.

Django's file backend appends all messages of a connection to one file named by the time,
so nothing can find the messages of one booking again. Here each message that came from
the email log is written to `email-<log id>.eml`, which lets erasure remove the files that
carry a person's name, address and booking link (bookings/services/privacy.py).
"""

import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def outbox_path() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def outbox_file_name(log_id) -> str:
    return f"email-{int(log_id)}.eml"


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = outbox_path()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            # anymail's metadata, set by bookings.emails.build_message; other mail (password
            # resets) carries none and gets a name of its own.
            log_id = (getattr(message, "metadata", None) or {}).get("email_log_id")
            name = outbox_file_name(log_id) if log_id else f"other-{uuid.uuid4().hex}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


def remove_outbox_files(*, log_ids: Iterable[int]) -> int:
    """Delete the outbox files of these email-log rows; returns how many there were."""
    folder = outbox_path()
    removed = 0
    for log_id in log_ids:
        path = folder / outbox_file_name(log_id)
        if path.exists():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
