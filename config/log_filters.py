"""Keep secret codes out of the access logs.

A booking code, a waitlist code, a material token or a your-data token in a URL is the
key to a person's booking, so a line of an access log must not hold it. This filter
rewrites the request line and path of django.server's and gunicorn's access records,
whatever their format: every string argument is redacted.
"""

import logging
import re

# The path segment after one of these prefixes is a secret (or a page name such as
# lost-link, which loses nothing by being redacted too).
SECRET_PATH = re.compile(r"(/(?:booking|waitlist|m|your-data)/)[^/\s?\"]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_PATH.sub(REDACTED, text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):  # gunicorn's access atoms
            record.args = {key: redact(value) if isinstance(value, str) else value for key, value in record.args.items()}
        elif isinstance(record.args, tuple):  # django.server's request line, status, size
            record.args = tuple(redact(value) if isinstance(value, str) else value for value in record.args)
        return True
