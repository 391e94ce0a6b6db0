"""Settings for certflow, read from the environment (see docs/configuration in README.md).

SQLite in var/ when DATABASE_URL is unset; PostgreSQL (or any dj-database-url URL) when set.
"""

from pathlib import Path

import dj_database_url

from certflow.core.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CERTFLOW_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    elif DEBUG:
        SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only with DEBUG=1
    else:
        raise ConfigurationError(
            "SECRET_KEY is not set: export SECRET_KEY, or run `./dev demo` which writes var/secret_key"
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "certflow.core",
    "certflow.core.events",
    "certflow.core.workdays",
    "certflow.core.schemes",
    "certflow.accounts",
    "certflow.notifications",
    "certflow.applications",
    "certflow.reviews",
    "certflow.auditors",
    "certflow.audits",
    "certflow.surveys",
    "certflow.certificates",
    "certflow.lifecycle",
    "certflow.decisions",
    "certflow.surveillance",
    "certflow.reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "certflow.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # AxesMiddleware last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "certflow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "certflow.core.context_processors.navigation",
                "certflow.notifications.context.unread_notifications",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    except Exception as exc:  # dj-database-url raises several types for a malformed URL
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(VAR_DIR / "certflow.sqlite3"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock the e-mail + address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "certflow" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("MEDIA_ROOT") or str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media is served only through authorised download views, never by a public URL prefix.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_MODE = env_choice("EMAIL_MODE", ("file", "console", "smtp", "memory"), "file")
EMAIL_BACKEND = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[EMAIL_MODE]
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "certflow <noreply@olis-cert.example>")

REST_FRAMEWORK = {
    # Token first: DRF answers an unauthenticated call with the first class's challenge, so a caller without
    # credentials (or with a bad token) gets 401 + WWW-Authenticate: Token, not 403 (decisions LG11).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's AutoSchema plus the refusals (400/403/404/429) every operation can answer.
    "DEFAULT_SCHEMA_CLASS": "certflow.core.api_schema.CertflowAutoSchema",
    "EXCEPTION_HANDLER": "certflow.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("API_AUTH_RATE", "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "certflow API",
    "DESCRIPTION": "Custom-goods service certification (CTS OLS/GZ-0056-2025) — REST API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"/"kind" field; name each choice set after its domain enum.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "certflow.applications.domain.ApplicationStatus",
        "UserKindEnum": "certflow.accounts.roles.UserKind",
        "SiteKindEnum": "certflow.applications.models.SiteKind",
        "ReviewStatusEnum": "certflow.reviews.domain.ReviewStatus",
        "NonconformityStateEnum": "certflow.reviews.domain.NonconformityState",
        "NonconformityGradeEnum": "certflow.reviews.domain.NonconformityGrade",
        "NonconformityStageEnum": "certflow.reviews.domain.NonconformityStage",
        "ActionDecisionEnum": "certflow.reviews.domain.ActionDecision",
        "ChecklistResultEnum": "certflow.reviews.domain.ChecklistResult",
        "ChecklistAnswerEnum": "certflow.reviews.domain.ANSWER_CHOICES",
        "QualificationFlagEnum": "certflow.auditors.domain.QualificationFlag",
        "AuditTypeEnum": "certflow.audits.domain.AuditType",
        "AuditStatusEnum": "certflow.audits.domain.AuditStatus",
        # Audit team roles and auditor register levels are the same two choices: one enum in the schema.
        "AuditorLevelEnum": "certflow.auditors.domain.AuditorLevel",
        "ProposalSideEnum": "certflow.audits.models.ProposalSide",
        "ProposalResponseEnum": "certflow.audits.models.ProposalResponse",
        "SurveyStatusEnum": "certflow.surveys.domain.SurveyStatus",
        "SurveyChannelEnum": "certflow.surveys.domain.Channel",
        "CallOutcomeEnum": "certflow.surveys.domain.CallOutcome",
        "ImportJobStateEnum": "certflow.surveys.models.ImportJob.State",
        "ImportRowOutcomeEnum": "certflow.surveys.models.ImportRow.Outcome",
        "ImprovementDecisionEnum": "certflow.surveys.models.ImprovementPlan.Decision",
        "CertificateStatusEnum": "certflow.certificates.domain.CertificateStatus",
        "CaseKindEnum": "certflow.lifecycle.domain.CaseKind",
        "DecisionStatusEnum": "certflow.decisions.domain.DecisionStatus",
        "ChangeKindEnum": "certflow.lifecycle.domain.ChangeKind",
        "MajorEventKindEnum": "certflow.lifecycle.domain.EventKind",
        "ChangeStatusEnum": "certflow.lifecycle.domain.ChangeStatus",
        "MajorEventStatusEnum": "certflow.lifecycle.domain.EventStatus",
        "ChangeAssessmentEnum": "certflow.lifecycle.domain.ChangeAssessment",
        "DecisionVoteEnum": "certflow.decisions.domain.Vote",
        "CaseStatusEnum": "certflow.lifecycle.domain.CaseStatus",
        "CaseOutcomeEnum": "certflow.lifecycle.domain.CaseOutcome",
        "LegacyImportOutcomeEnum": "certflow.lifecycle.models.LegacyImport.Outcome",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- security (issue 10) ---------------------------------------------------------------------------------
# Accounts, sessions and security headers; docs/decisions.md explains each choice (SEC1-SEC10).
# Second factor (SEC1): TOTP through django-otp. OTPMiddleware marks request.user.is_verified(); the
# SecondFactorMiddleware after it sends signed-in users who still owe a code to the verify or enrol page.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1, "certflow.accounts.middleware.SecondFactorMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "certflow.core.middleware.SecurityHeadersMiddleware",
)
# CB staff must pass a TOTP code after the password; enterprise users may enrol. Off only for test suites
# that sign staff in with force_login (the second-factor tests switch it back on).
CERTFLOW_OTP_REQUIRED_FOR_STAFF = env_bool("CERTFLOW_OTP_REQUIRED_FOR_STAFF", True)
OTP_TOTP_ISSUER = "欧利斯认证 certflow"
# A locked-out API client gets JSON (429), a person the lock-out page (SEC5).
AXES_LOCKOUT_CALLABLE = "certflow.accounts.lockout.lockout_response"

# Production is DEBUG off and HTTPS=1 (SEC6): cookies only over TLS, HSTS, plain HTTP redirected.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: htmx takes the token from the page (base.html hx-headers).
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preload is a promise about the whole domain that the CB's IT must make, not this application (SEC6).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        # Only behind a proxy that overwrites X-Forwarded-Proto; otherwise a client could claim HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (SEC7): no inline or foreign script anywhere. Inline style stays allowed because
# the survey charts carry style attributes and two pages have <style> blocks (listed in SEC7).
CERTFLOW_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# drf-spectacular's Swagger UI and ReDoc pages start themselves with an inline script (SEC7).
CERTFLOW_CSP_API_DOCS_PATHS = ["/api/docs/", "/api/redoc/"]
CERTFLOW_CSP_API_DOCS = CERTFLOW_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'") + (
    "; worker-src 'self' blob:"
)
# Pages whose address carries a secret token: the browser must not send it on as a Referer (SEC8).
CERTFLOW_NO_REFERRER_PATHS = ["/s/", "/verify/", "/accounts/reset/"]
# --- end security -----------------------------------------------------------------------------------------

CERTFLOW = {
    # The scheme a new application is made under when none is named.
    "DEFAULT_SCHEME": env_str("CERTFLOW_DEFAULT_SCHEME", "CTS OLS/GZ-0056-2025"),
    "SCHEME_DIRS": [BASE_DIR / "certflow" / "schemes"],
    "SITE_URL": env_str("CERTFLOW_SITE_URL", "http://127.0.0.1:8000"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Uploads and notifications (certflow.core.uploads, certflow.notifications) ---------------------------
# Largest accepted upload, in bytes (default 20 MiB).
CERTFLOW_UPLOAD_MAX_BYTES = env_int("CERTFLOW_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Virus scanners run on every upload: dotted paths of callables (file) -> threat name or None. The built-in
# EICAR check is always cheap; add "certflow.core.uploads.clamav_scan" where ClamAV is installed.
CERTFLOW_UPLOAD_SCANNERS = env_list("CERTFLOW_UPLOAD_SCANNERS", ["certflow.core.uploads.eicar_scan"])
# Notification e-mails: attempts before giving up, and minutes to wait after the 1st, 2nd, ... failure.
CERTFLOW_NOTIFICATION_MAX_ATTEMPTS = env_int("CERTFLOW_NOTIFICATION_MAX_ATTEMPTS", 8)
_backoff = env_list("CERTFLOW_NOTIFICATION_BACKOFF_MINUTES", ["1", "5", "15", "60", "180", "360", "720"])
if not _backoff or not all(m.isdigit() and int(m) > 0 for m in _backoff):
    raise ConfigurationError(
        f"CERTFLOW_NOTIFICATION_BACKOFF_MINUTES must be positive whole minutes like 1,5,15; got {_backoff!r}"
    )
CERTFLOW_NOTIFICATION_BACKOFF_MINUTES = [int(m) for m in _backoff]
for _name in ("CERTFLOW_UPLOAD_MAX_BYTES", "CERTFLOW_NOTIFICATION_MAX_ATTEMPTS"):
    if globals()[_name] < 1:
        raise ConfigurationError(f"{_name} must be at least 1; got {globals()[_name]}")

# --- Satisfaction survey (certflow.surveys; docs/decisions.md) ------------------------------
# Invitation senders by medium: dotted paths of classes with send(invitation, link) -> (ok, detail).
CERTFLOW_SURVEY_SENDERS = {
    "email": env_str("CERTFLOW_SURVEY_EMAIL_SENDER", "certflow.surveys.senders.EmailSender"),
    "sms": env_str("CERTFLOW_SURVEY_SMS_SENDER", "certflow.surveys.senders.ConsoleSmsSender"),
}
# Customer-list imports run in a worker thread started after the upload commits ("thread"), or
# at once in the request ("inline", used by the tests); `certflow survey run-import` resumes one.
CERTFLOW_SURVEY_IMPORT_MODE = env_choice("CERTFLOW_SURVEY_IMPORT_MODE", ("thread", "inline"), "thread")
CERTFLOW_SURVEY_LIST_MAX_BYTES = env_int("CERTFLOW_SURVEY_LIST_MAX_BYTES", 64 * 1024 * 1024)
# Days a one-time survey link stays valid after it is sent (never past the survey's closing day).
CERTFLOW_SURVEY_LINK_DAYS = env_int("CERTFLOW_SURVEY_LINK_DAYS", 14)
# Days before a survey closes that sampled customers who have not answered are reminded once (surveys.reminders).
CERTFLOW_SURVEY_REMINDER_DAYS = env_int("CERTFLOW_SURVEY_REMINDER_DAYS", 3)
# Phone call-back attempts per sampled customer before the customer counts as unreachable.
CERTFLOW_SURVEY_CALL_LIMIT = env_int("CERTFLOW_SURVEY_CALL_LIMIT", 3)
# Customers' personal data of a closed survey are anonymised this many months after it closed (PD3).
CERTFLOW_SURVEY_RETENTION_MONTHS = env_int("CERTFLOW_SURVEY_RETENTION_MONTHS", 36)

# --- certificates (certflow.certificates; docs/decisions.md) ---------------------------
# Certificate numbers: {year} of issue and {seq}, the per-year sequence; checked at start-up (C1).
CERTFLOW_CERTIFICATE_NUMBER_FORMAT = env_str("CERTFLOW_CERTIFICATE_NUMBER_FORMAT", "OLS-GZ0056-{year}-{seq:05d}")
# Ed25519 signing key: base64url of the 32-byte seed; unset → var/certificate_signing_key, made on first use.
CERTFLOW_CERTIFICATE_SIGNING_KEY = env_str("CERTFLOW_CERTIFICATE_SIGNING_KEY", "")
# Public keys of retired signing keys (base64url raw or PEM), so certificates signed before a rotation verify.
CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = env_list("CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS", [])
# Public verification: requests per client address (pages) and per client (API), and search results shown.
CERTFLOW_VERIFY_PAGE_RATE = env_str("CERTFLOW_VERIFY_PAGE_RATE", "30/min")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_certificates"] = env_str("CERTFLOW_VERIFY_API_RATE", "60/min")
CERTFLOW_VERIFY_MAX_RESULTS = env_int("CERTFLOW_VERIFY_MAX_RESULTS", 10)

# --- lifecycle (certflow.lifecycle; docs/decisions.md) -----------------------------------------
# Complaints and appeals (L8): acknowledge within N working days, decide within M calendar days of receipt.
# The scheme file has no place for them (its loader refuses unknown keys), so they are settings.
CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS = env_int("CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS", 5)
CERTFLOW_CASE_DECIDE_DAYS = env_int("CERTFLOW_CASE_DECIDE_DAYS", 60)
# The public complaint form: submissions per client address (same format as CERTFLOW_VERIFY_PAGE_RATE).
CERTFLOW_COMPLAINT_PAGE_RATE = env_str("CERTFLOW_COMPLAINT_PAGE_RATE", "5/hour")
# The public enterprise registration form: submissions per client address (decisions EE6).
CERTFLOW_REGISTER_PAGE_RATE = env_str("CERTFLOW_REGISTER_PAGE_RATE", "10/hour")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_complaints"] = env_str("CERTFLOW_COMPLAINT_API_RATE", "5/hour")
# Legacy-certificate import (L3): most data rows in one file.
CERTFLOW_LEGACY_IMPORT_MAX_ROWS = env_int("CERTFLOW_LEGACY_IMPORT_MAX_ROWS", 5000)
for _name in ("CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS", "CERTFLOW_CASE_DECIDE_DAYS", "CERTFLOW_LEGACY_IMPORT_MAX_ROWS"):
    if globals()[_name] < 1:
        raise ConfigurationError(f"{_name} must be at least 1; got {globals()[_name]}")
# --- end lifecycle ----------------------------------------------------------------------------------------
