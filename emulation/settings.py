"""Thi đua settings: one file, every deploy-specific value read from the environment.

Development defaults are safe to run on a laptop (SQLite, an embedded broker, console
email). Production (`DJANGO_DEBUG=0`) refuses to start without a `SECRET_KEY`.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


RATE_PERIODS = {"s": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def envrate(name, default):
    """A rate such as `30/hour` or `5/10min` → (count, seconds); `off` → None (no limit)."""
    value = env(name, default).strip().lower()
    if value == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?", value)
    if not match or int(match[1]) < 1 or match[3] not in RATE_PERIODS or match[2] == "0":
        raise ImproperlyConfigured(f"{name}={value!r}: expected N/period such as 30/hour, 5/10min, or off.")
    return int(match[1]), int(match[2] or 1) * RATE_PERIODS[match[3]]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "campaigns",
    "reports",
    "accounts",
    "commendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emulation.middleware.LanguageMiddleware",  # Vietnamese unless the user picked English (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "emulation.request_limits.RequestSizeLimitMiddleware",  # 413 before CSRF or a view reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "emulation.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # An account an administrator set a password for changes it first; then a verified code.
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emulation.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaigns.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "emulation.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing with "database is locked" when the
    # embedded worker and the web server write at the same moment. A transaction takes the
    # write lock when it begins (BEGIN IMMEDIATE), so it waits there too: one that read first
    # and then wrote could not wait (SQLite fails it at once rather than deadlock), which is
    # how simultaneous compiles failed while numbering the summary.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "campaigns.auth.ProfileBackend",  # Django's ModelBackend, reading the profile with the user
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password reset links expire after this long (Django counts seconds).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_HOURS", 24) * 3600
# Reset links sent for one mailbox, and asked for from one network address, in a window; past
# either the page answers as always and nothing is sent (nobody learns which limit held).
PASSWORD_RESET_RATE_LIMIT = envrate("PASSWORD_RESET_RATE_LIMIT", "3/hour")
PASSWORD_RESET_ADDRESS_RATE_LIMIT = envrate("PASSWORD_RESET_ADDRESS_RATE_LIMIT", "20/hour")

# Two-factor sign-in (django-otp): after the password, a code from an authenticator app or a
# one-time recovery code. Required for these roles (superusers and staff count as
# administrators), optional for the others; TWO_FACTOR_ENFORCED=0 switches the check off.
TWO_FACTOR_ENFORCED = envbool("TWO_FACTOR_ENFORCED", True)
TWO_FACTOR_REQUIRED_ROLES = envlist("TWO_FACTOR_REQUIRED_ROLES", "reviewer,leader,administrator")
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Thi đua Điện Biên")
# After each wrong code the next try waits 1, 2, 4, 8… seconds (per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Login throttling: lock on username + IP, so one officer's typos do not lock a whole
# department that shares an address; and the address alone at a higher limit, so one
# address cannot try a few passwords against every account.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_HANDLER = "accounts.throttling.AddressLimitHandler"
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)
# Behind nginx every request comes from nginx's address: count the proxies so the lock is
# on the client's own address, not on everyone's.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "emulation.middleware.client_ip"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Evidence uploads
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Request bodies over these are refused with 413 before they are read
# (emulation.request_limits): a visitor not signed in sends only the login form; a signed-in
# person's forms stay under DATA_UPLOAD_MAX_MEMORY_SIZE with their multipart framing; the
# routes that take a file allow the largest evidence file and its form. nginx's
# client_max_body_size goes slightly above the largest (README, Production).
REQUEST_MAX_BYTES_ANONYMOUS = envint("REQUEST_MAX_KB_ANONYMOUS", 64) * 1024
REQUEST_MAX_BYTES = envint("REQUEST_MAX_MB", 6) * 1024 * 1024
REQUEST_MAX_BYTES_UPLOAD = EVIDENCE_MAX_BYTES + 256 * 1024
REQUEST_UPLOAD_ROUTES = [
    "reports:evidence_upload",
    "reports:report_xlsx_upload",
    "admin:reports_evidence_add",
    "admin:reports_evidence_change",
]

# Longest texts a unit may send: a narrative of one section, a commendation's achievement.
REPORT_NARRATIVE_MAX_CHARS = envint("REPORT_NARRATIVE_MAX_CHARS", 20_000)
REPORT_ACHIEVEMENT_MAX_CHARS = envint("REPORT_ACHIEVEMENT_MAX_CHARS", 4_000)
# Most commendation proposals one report may hold (with the two above, what bounds a unit print).
REPORT_COMMENDATIONS_MAX = envint("REPORT_COMMENDATIONS_MAX", 100)

# Email: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "thidua@dienbien.gov.vn")

# Celery. With no CELERY_BROKER_URL the broker is kombu's filesystem transport under
# var/broker/, which needs no server: `make run` starts a real worker on it.
BROKER_DIR = Path(env("BROKER_DIR", str(BASE_DIR / "var" / "broker")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "emulation.broker:Transport"  # kombu's, writing messages atomically
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        # The default 1 s poll adds up to a second to every task of a fanned-out job.
        "polling_interval": 0.1,
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any job, so Redis does not redeliver a task that is still running.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3 * 3600),
        # A worker takes from the first of its queues (-Q order) that has work, not in turn.
        "queue_order_strategy": "priority",
    }
# Queues, most urgent first: the summary's compile (its parts and merge too), then unit prints,
# then what only saves time later or runs on a schedule. A worker consuming several takes from
# the first that has work (Redis: queue_order_strategy; the embedded broker: emulation.broker).
# A worker started without -Q consumes all three, in this order.
CELERY_TASK_QUEUES = [Queue("summary"), Queue("prints"), Queue("background")]
CELERY_TASK_DEFAULT_QUEUE = "background"
CELERY_TASK_ROUTES = {
    "reports.tasks.compile_summary": {"queue": "summary"},
    "reports.tasks.render_summary_part": {"queue": "summary"},
    "reports.tasks.merge_summary": {"queue": "summary"},
    "reports.tasks.render_report_print": {"queue": "prints"},
    "commendations.tasks.render_commendation_print": {"queue": "prints"},
    "reports.tasks.render_annex_ahead": {"queue": "background"},
    "reports.tasks.sweep_stale_jobs": {"queue": "background"},
    "reports.tasks.send_deadline_reminders": {"queue": "background"},
}
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
# Lay out a unit's pages of the summary's Phụ lục I when its report is submitted or accepted,
# so the compile on the day finds them ready (reports.summary.compile.annex_render_ahead).
SUMMARY_ANNEX_AHEAD = envbool("SUMMARY_ANNEX_AHEAD", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 20 * 60)
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_WORKER_MAX_TASKS_PER_CHILD", 20)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "send-deadline-reminders": {
        "task": "reports.tasks.send_deadline_reminders",
        "schedule": envint("REMINDER_INTERVAL_SECONDS", 24 * 3600),
    },
    "sweep-stale-jobs": {
        "task": "reports.tasks.sweep_stale_jobs",
        "schedule": 300,
    },
}
# A job still "running" after this long without progress is considered lost with its worker.
JOB_STALE_AFTER_SECONDS = envint("JOB_STALE_AFTER_SECONDS", 30 * 60)
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 3)
# Jobs one person may ask for in a window, counted from the job rows: new unit prints (a
# version already printed or printing is not a new one), and summary compiles with retries.
PRINT_RATE_LIMIT = envrate("PRINT_RATE_LIMIT", "30/hour")
COMPILE_RATE_LIMIT = envrate("COMPILE_RATE_LIMIT", "10/hour")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions expire after inactivity.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
# Only a proxy of ours may say the client came over HTTPS: without one in front, anyone could
# send X-Forwarded-Proto and pass for a secure request.
if TRUSTED_PROXY_COUNT > 0 and envbool("SECURE_PROXY_SSL_HEADER", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # WeasyPrint logs every layout step at INFO; a worker's log should show jobs, not pages.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
