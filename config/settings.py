"""Django settings for Zhaoyin — one env-driven module (DESIGN 5.3).

Every difference between development and production is decided by environment variables,
so the same file serves `make run`, the test suite and a hardened deployment.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "zhaoyin"

# Under pytest the environment is "test" unless stated otherwise (fast hasher, immediate tasks).
ENV = os.environ.get("ZHAOYIN_ENV") or ("test" if "pytest" in sys.modules else "development")
if ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured("ZHAOYIN_ENV must be development, production or test")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"

_data_default = tempfile.mkdtemp(prefix="zhaoyin-test-") if TESTING else str(BASE_DIR / "var")
DATA_DIR = Path(os.environ.get("ZHAOYIN_DATA_DIR", _data_default)).resolve()
UPLOAD_DIR = DATA_DIR / "uploads"
GENERATED_DIR = DATA_DIR / "generated"
#: Signed checkpoints of the audit chain, kept outside the database (issue 12 D2).
AUDIT_CHECKPOINT_DIR = DATA_DIR / "audit"

# The development keys are published here: production refuses them, and so does
# `check --deploy` in any environment (zhaoyin.core.checks, issue 12 D8).
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret-zhaoyin-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - published on purpose, refused in production
DEVELOPMENT_FIELD_KEY = "00112233445566778899aabbccddeeff"
SECRET_KEY = os.environ.get("ZHAOYIN_SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ZHAOYIN_SECRET_KEY (at least 50 characters) is required in production")
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("ZHAOYIN_SECRET_KEY is the published development key; production needs its own")

# The SM4 key for personal data and the audit chain's HMAC key are derived from this one
# secret (32 hex digits = 128 bits). Development gets a fixed key so `make run` needs nothing.
FIELD_KEY = os.environ.get("ZHAOYIN_FIELD_KEY", "" if PRODUCTION else DEVELOPMENT_FIELD_KEY)
if PRODUCTION and not re.fullmatch(r"[0-9a-fA-F]{32}", FIELD_KEY):
    raise ImproperlyConfigured("ZHAOYIN_FIELD_KEY (32 hex digits, an SM4 key) is required in production")
if PRODUCTION and FIELD_KEY.lower() == DEVELOPMENT_FIELD_KEY:
    raise ImproperlyConfigured("ZHAOYIN_FIELD_KEY is the published development key; production needs its own")

DEBUG = not PRODUCTION and os.environ.get("ZHAOYIN_DEBUG", "0") == "1"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ZHAOYIN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
    ).split(",")
    if h.strip()
]

# Client IPs are taken from X-Forwarded-For only when the direct peer is one of these
# proxies (AUD-02): a spoofed header from anyone else is ignored.
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ZHAOYIN_TRUSTED_PROXIES", "").split(",") if p.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "zhaoyin.core",
    "zhaoyin.audit",
    "zhaoyin.accounts",
    "zhaoyin.workcalendar",
    "zhaoyin.enterprises",
    "zhaoyin.talents",
    "zhaoyin.recognition",
    "zhaoyin.apartments",
    "zhaoyin.talentprojects",
    "zhaoyin.catalog",
    "zhaoyin.projects",
    "zhaoyin.matters",
    "zhaoyin.policies",
    "zhaoyin.matching",
    "zhaoyin.payouts",
    "zhaoyin.mujun",
    "zhaoyin.visits",
    "zhaoyin.notifications",
    "zhaoyin.targets",
    "zhaoyin.cockpit",
    "zhaoyin.ops",
    "zhaoyin.demo",
]

MIDDLEWARE = [
    # First: forwarding headers (X-Forwarded-Proto/For …) count only from a trusted proxy.
    "zhaoyin.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zhaoyin.accounts.middleware.RefuseTraceMiddleware",
    # Serves collected static files in production too (``zhaoyin serve`` collects them).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhaoyin.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhaoyin.core.i18n.DefaultLanguageLocaleMiddleware",  # zh-hans unless switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it tells the user why a session ended or a password must change.
    "zhaoyin.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhaoyin.core.middleware.SecurityHeadersMiddleware",
    "zhaoyin.core.authz.AuthorizationMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhaoyin.core.context_processors.navigation",
            ],
        },
    }
]

_default_db = "sqlite:///" + str(DATA_DIR / "zhaoyin.sqlite3")
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions + a busy timeout: writers queue instead of failing with
    # "database is locked" (CONC-04). The file is memory-mapped (up to 1 GiB) and each
    # connection caches 64 MiB of pages: with SQLite's default 2 MiB cache a large list reads
    # its index pages through a system call each time (measured in bench/bench_matters.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536;"
        ),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["zhaoyin.accounts.backends.ZhaoyinBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zhaoyin.accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "zhaoyin.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "zhaoyin.accounts.passwords.ContextWordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Keyboard walks, sequences and common passwords in leetspeak (issue 12).
    {"NAME": "zhaoyin.accounts.passwords.PredictablePasswordValidator"},
    {"NAME": "zhaoyin.accounts.passwords.HistoryValidator", "OPTIONS": {"depth": 5}},
]

# Security parameters (the security admin can read them on the security page; changing them
# is a deployment decision, recorded in docs/operations.md).
ZHAOYIN_SECURITY = {
    "PASSWORD_MAX_AGE_DAYS": 90,
    "PASSWORD_HISTORY": 5,
    "LOCKOUT_THRESHOLD": 5,
    "LOCKOUT_MINUTES": 30,
    "IP_THROTTLE_FAILURES": 20,
    "IP_THROTTLE_WINDOW_MINUTES": 15,
    "IDLE_MINUTES": 30,
    "IDLE_MINUTES_PRIVILEGED": 15,
    "ABSOLUTE_HOURS": 12,
    "API_TOKEN_HOURS": 12,
    "AUDIT_RETENTION_DAYS": 180,
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "zhaoyin_session"
CSRF_COOKIE_NAME = "zhaoyin_csrftoken"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("ZHAOYIN_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Upload limits (FILE-01): 20 MB is the largest workbook we accept; bigger bodies are
# refused before they are read into memory.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "zhaoyin_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Tests and development look files up per request; production scans STATIC_ROOT once.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

EMAIL_BACKEND = (
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else os.environ.get("ZHAOYIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
)
DEFAULT_FROM_EMAIL = os.environ.get("ZHAOYIN_EMAIL_FROM", "zhaoyin@localhost")

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"zhaoyin": {"level": "INFO"}},
}

# 红黄绿灯 thresholds of the project alerts (DESIGN 3.2; zhaoyin.lib.alerts, docs/targets.md).
ZHAOYIN_ALERTS = {
    "START_YELLOW_MONTHS": 1,  # signed, not started, the planned start month is over
    "START_RED_MONTHS": 3,  # three months late
    "INVEST_YELLOW_POINTS": "0.10",  # investment behind its linear plan by 10 points
    "INVEST_RED_POINTS": "0.30",  # by more than 30 points
}
# The payout ledger (issue 15, zhaoyin.payouts.approvers): the unit that records 拨付 (财政局) by
# its code, and the working days of an enterprise payout's 公示.
ZHAOYIN_PAYOUTS = {
    "FINANCE_UNIT": os.environ.get("ZHAOYIN_FINANCE_UNIT", "dept-czj"),
    "PUBLICITY_DAYS": 5,
}
# 序时进度 of targets: "months" (whole months ÷ 12, DESIGN 3.3) or "days".
ZHAOYIN_TIME_PROGRESS = "months"
# Funds verification (docs/targets.md): one month's entry above this share of the project's
# total investment is flagged for the city's verifier (a decimal text, 0–1).
ZHAOYIN_FUNDS_MONTH_SHARE_FLAG = "0.5"
# Assigned matters (DESIGN 3.5; zhaoyin.matters.clocks.DEFAULTS): working days of the sign-for
# clock and of the handling clock by kind (a reform measure's date is set at assignment), and
# the escalation ladder.
ZHAOYIN_MATTERS = {
    "SIGN_DAYS": 1,
    "HANDLE_DAYS": {
        "consultation": 3,
        "coordination": 15,
        "talent_demand": 10,
        "urgent_instruction": 5,
        "instruction": 15,
    },
    "MAX_HANDLE_DAYS": 250,
    "APPROACHING_WORKDAYS": 1,
    "SUPERVISE_AFTER_WORKDAYS": 5,
}
# Notifications (zhaoyin.notifications.channels.DEFAULTS): channels besides the in-app inbox,
# the SMS gateway (a dotted path; the default only logs), and the outbox's retries.
ZHAOYIN_NOTIFICATIONS = {
    "CHANNELS": ["email", "sms"],
    "SMS_GATEWAY": os.environ.get("ZHAOYIN_SMS_GATEWAY", "zhaoyin.notifications.channels.LoggingSmsGateway"),
    "MAX_ATTEMPTS": 12,
    "BACKOFF_SECONDS": 60,
    "BACKOFF_MAX_SECONDS": 3600,
    "BASE_URL": os.environ.get("ZHAOYIN_BASE_URL", ""),
}
