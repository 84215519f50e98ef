"""Settings for the workshop scheduler.

Everything that differs between deployments comes from the environment (see
`.env.example`). The defaults run the embedded set-up: SQLite under `var/`, the
database task backend, and an email outbox of readable files.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# The embedded set-up keeps all its data here: the SQLite file, uploads, the email outbox.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "production" refuses to start without its secrets; anything else is a local machine.
ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not IS_PRODUCTION)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "local-development-only-not-a-secret"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Inner Child Circles")

INSTALLED_APPS = [
    "cms",
    "programs",
    "bookings",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "recurrence",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "django_ratelimit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Early, so a stored page skips everything after it; after CSRF, which sets a served form's cookie.
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff sessions end after ADMIN_IDLE_MINUTES without a request.
    "config.middleware.AdminIdleTimeoutMiddleware",
    # Marks request.user verified or not by a one-time code; sends an admin user who must verify
    # to the code page (or to set up a device) before any other admin page (ADMIN_2FA below).
    "django_otp.middleware.OTPMiddleware",
    "config.admin_2fa.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cms.route_cache.RouteCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]
CSP_EXEMPT_PREFIXES = ("/admin/",)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


# Database: SQLite under var/ unless DATABASE_URL says otherwise.

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # Kept open between requests and tasks: a new connection per task was the email worker's main cost.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Values travel apart from the SQL, and a statement a connection keeps running is prepared
    # there: PostgreSQL stops planning the same queries on every request and every booking
    # (bench/booking_contention.py: a quarter more seats a second). psycopg forgets them all
    # after a rollback (DEALLOCATE ALL), so a pooler in transaction mode must support that and
    # track prepared statements (PgBouncer 1.22 or later with max_prepared_statements set);
    # otherwise DATABASE_PREPARED_STATEMENTS=0. Options in DATABASE_URL (sslmode…) are kept.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True, "prepare_threshold": 5, **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Take the write lock at BEGIN, so a transaction that counts seats and then
        # inserts cannot interleave with another writer (SQLite has no row locks).
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock; then a booking answers "busy, try again"
        # (bookings/services/locking.py), well before gunicorn's 30-second worker timeout.
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Admin sign-in. django-axes counts failed sign-ins (the Wagtail login is Django's LoginView, so
# authenticate() reaches its backend) per username and address, and locks that pair out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ADMIN_LOCKOUT_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The same address the rate limits trust: a forged X-Forwarded-For does not escape a lockout.
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Staff and facilitators stay signed in this long without a request (participants have no sessions).
ADMIN_IDLE_MINUTES = int(os.environ.get("ADMIN_IDLE_MINUTES", "30"))

# Two-factor sign-in to the admin with a TOTP app (config/admin_2fa.py on django-otp):
#   off       no codes asked;
#   optional  whoever has set up a device must enter its code; anyone may set one up;
#   required  every admin user sets up a device and enters a code before any admin page.
# (wagtail-2fa, the Wagtail package for this, does not import under Wagtail 8.)
ADMIN_2FA = os.environ.get("ADMIN_2FA", "required" if IS_PRODUCTION else "optional")
if ADMIN_2FA not in {"off", "optional", "required"}:
    raise ImproperlyConfigured(f"ADMIN_2FA must be off, optional or required, not {ADMIN_2FA!r}.")
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Time: stored in UTC, shown in the cohort's or the reader's zone.

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# Static files through whitenoise; uploads under var/media (object storage at scale).

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# MEDIA_STORAGE=s3 keeps uploads in an S3-compatible bucket through django-storages
# (pip install 'django-storages[s3]'); the README's "Running at scale" lists its settings.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs django-storages: pip install 'django-storages[s3]'.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Uploads are prep materials: private objects, reached through signed, expiring URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000


# Background tasks: the database backend by default, Redis/RQ at scale.

TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# django-rq is always installed (it connects to Redis only when used), so one setting switches.
INSTALLED_APPS += ["django_rq"]
RQ_QUEUES = {"default": {"URL": REDIS_URL}}
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASK_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"TASK_BACKEND must be database, rq or immediate, not {TASK_BACKEND!r}.")


# Cache: in-process by default; Redis when several processes serve the site, so that
# an edit or a booking in one of them clears the anonymous page cache for all.

CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "locmem")
if CACHE_BACKEND == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", "redis://127.0.0.1:6379/1"),
            # A Redis that does not answer must not hold up a page: the caches then step aside.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be locmem or redis, not {CACHE_BACKEND!r}.")
# Rate-limit counts (bookings/ratelimit.py) must be shared by every server process, or eight
# gunicorn workers would allow eight times the limit: in Redis when the site uses it, otherwise
# in files under VAR_DIR, which every process on the one machine of the embedded set-up shares
# (an in-process cache would not be, and a database table would queue behind SQLite's one writer).
if CACHE_BACKEND == "redis":
    CACHES["ratelimit"] = dict(CACHES["default"])
else:
    CACHES["ratelimit"] = {
        "BACKEND": "config.cache.CountingFileBasedCache",
        "LOCATION": VAR_DIR / "ratelimit",
        # One small file per address and form; culling a third of them at 300 would forget counts.
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
# Two deployments sharing one Redis never see each other's pages: keys start with the database's name.
for _alias in CACHES.values():
    _alias["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", str(DATABASES["default"]["NAME"]))
RATELIMIT_USE_CACHE = "ratelimit"
# A cache that answers nothing lets requests through; one that raises is caught in bookings/ratelimit.py.
RATELIMIT_FAIL_OPEN = True
# How many proxies in front of the site append to X-Forwarded-For (0: the site faces the
# internet, and only REMOTE_ADDR is trusted). Rate limits and the admin lockout key on the
# address this gives (config/client_ip.py); a wrong number lets clients pick their own key.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"

# Anonymous readers get public pages from the cache for at most this many seconds; a
# booking or an edit clears it at once (cms/page_cache.py). 0 turns the cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30"))
# A page a server process has just served from the cache, it serves again for this long
# without asking the cache: a booking or an edit made through another process shows there
# that much later. 0 asks the cache on every read.
PAGE_CACHE_LOCAL_SECONDS = float(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "1"))
# Everyone, logged in or not, gets the parts of public pages that are the same for every
# reader (the menu, program cards, a program's dates, a blank booking form) from the cache
# for at most this long, cleared by the same edits and bookings (cms/templatetags/fragment_cache.py).
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", "30"))


# Email: a readable outbox under var/ by default; an ESP through anymail at scale.

# One file per message, named after its email-log row, so erasure can remove it (bookings/outbox.py).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "bookings.outbox.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Inner Child Circles <hello@localhost>")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}
# Only this ESP's tracking webhook is mounted (config/esp_webhooks.py): the one EMAIL_BACKEND names.
_backend = EMAIL_BACKEND.split(".")  # anymail.backends.<esp>.EmailBackend
ANYMAIL_ESP = _backend[2] if len(_backend) == 4 and _backend[:2] == ["anymail", "backends"] and _backend[2] != "test" else ""
# Where anymail checks a signature of the ESP's own, the key it needs (the ESP's dashboard shows it).
ANYMAIL_SIGNING_SETTINGS = {
    "mailgun": "MAILGUN_WEBHOOK_SIGNING_KEY", "mandrill": "MANDRILL_WEBHOOK_KEY", "postal": "POSTAL_WEBHOOK_KEY",
}
if IS_PRODUCTION and ANYMAIL_ESP:
    # Without these anyone could post delivery events ("bounced") for any message.
    if not ANYMAIL.get("WEBHOOK_SECRET"):
        raise ImproperlyConfigured(
            "ANYMAIL_WEBHOOK_SECRET must be set (as 'user:password') when an ESP sends the email in production."
        )
    signing = ANYMAIL_SIGNING_SETTINGS.get(ANYMAIL_ESP)
    if signing and not ANYMAIL.get(signing):
        raise ImproperlyConfigured(f"ANYMAIL_{signing} must be set when {ANYMAIL_ESP} sends the email in production.")


# Wagtail

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "rtf", "mp3", "m4a", "png", "jpg"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Prep materials are private: documents are served through Django's permission
# checks, never from a public media URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"


# Security switches that matter once the site is public.

SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_PRODUCTION else None
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if IS_PRODUCTION else "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=IS_PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
# SAMEORIGIN, not DENY: Wagtail's live preview shows the page being edited in a frame of its own.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = [
    "security.W019",
    # django-ratelimit names the caches it has tested; ours count atomically too: Redis's INCR,
    # and config.cache.CountingFileBasedCache, which counts under a lock shared by every process.
    "django_ratelimit.W001",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secret codes in URLs never reach an access log (gunicorn's is filtered in config/gunicorn.py).
    "filters": {"redact_secret_paths": {"()": "config.log_filters.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "filters": ["redact_secret_paths"], "level": "INFO", "propagate": False},
        # One line per task start and finish drowns everything else out; LOG_TASKS=INFO shows them.
        "django_tasks": {"level": os.environ.get("LOG_TASKS", "WARNING")},
        "wagtail": {"level": os.environ.get("LOG_WAGTAIL", "WARNING")},
    },
}


# The scheduler's own settings.

# A cohort may not expand to more sessions than this: it catches a rule that was meant
# to be weekly for 8 weeks but was typed as daily for 8 years.
PROGRAMS_MAX_SESSIONS_PER_COHORT = int(os.environ.get("PROGRAMS_MAX_SESSIONS_PER_COHORT", "104"))

# Prices are in this currency (ISO 4217 code, as Stripe expects it).
PAYMENT_CURRENCY = os.environ.get("PAYMENT_CURRENCY", "GBP")

# Bookings: how long a held seat waits for its payment, and a waitlist offer for its answer.
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "30"))
# How long taking a seat waits for the cohort's lock on PostgreSQL before answering "busy, try again".
BOOKING_LOCK_TIMEOUT_MS = int(os.environ.get("BOOKING_LOCK_TIMEOUT_MS", "5000"))
WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "24"))

# Stripe is on when a secret key is set; free and pay-later bookings need no keys.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Where Stripe Checkout pages live (the booking form may redirect there).
STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
# Only for tests and local stand-ins: where the Stripe API answers.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
if IS_PRODUCTION and STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET must be set when Stripe is on in production.")

# Intake answers (health-related) are erased this many days after a cohort's last session.
INTAKE_RETENTION_DAYS = int(os.environ.get("INTAKE_RETENTION_DAYS", "90"))
