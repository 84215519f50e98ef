"""gunicorn settings for the at-scale mode: `gunicorn -c config/gunicorn.py config.wsgi`.

Each can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_BIND, ...), and any
of gunicorn's own options from GUNICORN_CMD_ARGS.
"""

import logging
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# CPU-bound Django pages: about two workers per core, and one more to cover a worker that waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Restarting workers now and then keeps a slow leak from growing for months.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Behind a proxy on the same host: trust its X-Forwarded-* headers, nobody else's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def on_starting(server):
    """Secret codes in URLs never reach the access log; workers inherit the filter at fork."""
    from config.log_filters import RedactSecretPaths

    logging.getLogger("gunicorn.access").addFilter(RedactSecretPaths())


def when_ready(server):
    """Say so at start when several workers would each keep their own page cache."""
    if workers > 1 and os.environ.get("CACHE_BACKEND", "locmem") != "redis":
        server.log.warning(
            "%d workers share no cache (CACHE_BACKEND is not redis): after an edit or a booking, each worker "
            "may show its old pages and seat counts for up to 30 s. Set CACHE_BACKEND=redis.",
            workers,
        )
