"""Settings read from the environment (REGISTRY_*), with safe defaults."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit


def instance_path() -> str | None:
    """REGISTRY_INSTANCE_PATH, else None for Flask's own (instance/ in a checkout,
    <prefix>/var/registry-instance when installed): the folder of the default SQLite database
    (the app keeps no other file; the secret key and pending uploads live in the database)."""
    raw = os.environ.get("REGISTRY_INSTANCE_PATH")
    return str(Path(raw).resolve()) if raw else None


def _fiscal_year_start(raw: str) -> int:
    month = int(raw)
    if not 1 <= month <= 12:
        raise ValueError(f"REGISTRY_FISCAL_YEAR_START must be a month from 1 to 12, not {raw!r}")
    return month


def _count(raw: str, name: str) -> int:
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _import_limits(env) -> dict:
    """REGISTRY_IMPORT_MAX_ROWS and the like, as IMPORT_MAX_ROWS config keys."""
    from registry.exchange.guard import Limits

    limits = {}
    for name in Limits.__dataclass_fields__:
        raw = env.get(f"REGISTRY_IMPORT_{name.upper()}")
        if raw is not None:
            if not raw.isdigit():
                raise ValueError(f"REGISTRY_IMPORT_{name.upper()} must be a whole number, not {raw!r}")
            limits[f"IMPORT_{name.upper()}"] = int(raw)
    return limits


def _catalogue_misses(raw: str) -> str:
    """REGISTRY_CATALOGUE_MISSES: "log" reports each message the Japanese catalogue lacks."""
    if raw not in ("", "log"):
        raise ValueError(f"REGISTRY_CATALOGUE_MISSES must be log or empty, not {raw!r}")
    return raw


def _attachment_max_bytes(raw: str) -> int:
    """REGISTRY_ATTACHMENT_MAX_BYTES: a whole number, at most what PostgreSQL keeps in a value."""
    size = _count(raw, "REGISTRY_ATTACHMENT_MAX_BYTES")
    if not 0 < size < 2**30:
        raise ValueError(f"REGISTRY_ATTACHMENT_MAX_BYTES must be from 1 to {2**30 - 1} (1 GiB, "
                         f"the largest value PostgreSQL keeps), not {raw!r}")
    return size


def _by_tier(raw: str, name: str) -> dict[str, int]:
    """'high=90,medium=180,low=365' as {'high': 90, ...}."""
    return _days(raw, name, ("high", "medium", "low"), "high=90,medium=180,low=365")


#: the incident clocks' days (APPI Art. 26, PPC rule 8): the preliminary report "promptly"
#: (about 3-5 days, the guidelines), the final report in 30 days or 60 for a malicious act, and
#: the company's own target for notifying the individuals "promptly"
INCIDENT_DAYS = "preliminary=5,final=30,final_malicious=60,notice=30"

#: how long a record of provision or receipt is kept (PPC rules 21, 25, 30): a year after the last
#: provision when the contract serves as the record, three years otherwise
PROVISION_RECORD_YEARS = "contract=1,other=3"


def _days(raw: str, name: str, keys: tuple[str, ...], example: str,
          unit: str = "days") -> dict[str, int]:
    """'high=90,medium=180,low=365' as {'high': 90, ...}: a positive number (of days, or of the
    unit given) for each key."""
    try:
        days = {key.strip(): int(value) for key, value in
                (part.split("=") for part in raw.split(","))}
    except ValueError as error:
        raise ValueError(f"{name} must look like {example}, not {raw!r}") from error
    if set(days) != set(keys) or min(days.values()) < 1:
        raise ValueError(f"{name} must give a positive number of {unit} for each of "
                         f"{', '.join(keys)}, not {raw!r}")
    return days


def _severities(raw: str) -> dict[str, str]:
    """'departed-access=high,...' as {'departed-access': 'high'}; checked against the catalogue
    when the application starts."""
    pairs = [part.split("=", 1) for part in raw.split(",") if part.strip()]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError(f"REGISTRY_CHECK_SEVERITY must look like departed-access=high,..., not {raw!r}")
    return {code.strip(): level.strip() for code, level in pairs}


def _folder(raw: str, name: str) -> str:
    """A folder that exists (or nothing)."""
    if raw and not Path(raw).is_dir():
        raise ValueError(f"{name} must name a folder, and {raw!r} is none")
    return raw


def _file(raw: str, name: str) -> str:
    """A file that exists (or nothing)."""
    if raw and not Path(raw).is_file():
        raise ValueError(f"{name} must name a file, and {raw!r} is none")
    return raw


def _rate_limit(raw: str) -> str:
    """REGISTRY_API_RATE_LIMIT: "600 per minute", "10/second; 1000/hour" and the like."""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError as error:
        raise ValueError(f"REGISTRY_API_RATE_LIMIT must look like 600 per minute, not {raw!r}") \
            from error
    return raw


def _flag(raw: str, name: str) -> bool:
    if raw not in ("0", "1"):
        raise ValueError(f"{name} must be 0 or 1, not {raw!r}")
    return raw == "1"


def _mail(env) -> dict:
    """REGISTRY_SMTP_URL and the other settings of e-mail reminders, checked together."""
    from registry.mail.transport import Server

    url = env.get("REGISTRY_SMTP_URL", "").strip()
    sender = env.get("REGISTRY_MAIL_FROM", "").strip()
    if url:
        Server.parse(url)
        if "@" not in sender:
            raise ValueError("REGISTRY_SMTP_URL needs REGISTRY_MAIL_FROM, the address mail comes "
                             f"from (privacy@example.co.jp), not {sender!r}")
    language = env.get("REGISTRY_MAIL_LANGUAGE", "ja").strip()
    if language not in ("ja", "en"):
        raise ValueError(f"REGISTRY_MAIL_LANGUAGE must be ja or en, not {language!r}")
    before = env.get("REGISTRY_REMIND_BEFORE_DAYS", "7,1").replace(" ", "")
    if not all(part.isdigit() for part in before.split(",") if part):
        raise ValueError("REGISTRY_REMIND_BEFORE_DAYS must be days separated by commas (7,1), "
                         f"not {before!r}")
    every = _count(env.get("REGISTRY_REMIND_EVERY_DAYS", "7"), "REGISTRY_REMIND_EVERY_DAYS")
    if every < 1:
        raise ValueError("REGISTRY_REMIND_EVERY_DAYS must be 1 or more")
    base = env.get("REGISTRY_BASE_URL", "").strip().rstrip("/")
    if base and urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"REGISTRY_BASE_URL must be an http(s):// address, not {base!r}")
    return {
        "SMTP_URL": url,
        "MAIL_FROM": sender,
        "MAIL_LANGUAGE": language,
        "COMPLIANCE_OFFICER": tuple(
            name.strip() for name in env.get("REGISTRY_COMPLIANCE_OFFICER", "").split(",")
            if name.strip()),
        "REMIND_BEFORE_DAYS": tuple(sorted({int(part) for part in before.split(",") if part},
                                           reverse=True)),
        "REMIND_EVERY_DAYS": every,
        "BASE_URL": base,
    }


def _single_sign_on(env) -> dict:
    """REGISTRY_OIDC_*, REGISTRY_LOCAL_LOGIN and REGISTRY_BREAK_GLASS_USERS, checked together: an
    issuer needs a client id and secret, and password login can be turned off only when single
    sign-on is on."""
    issuer = env.get("REGISTRY_OIDC_ISSUER", "").strip() or None  # exactly (Auth0's ends in /)
    client_id = env.get("REGISTRY_OIDC_CLIENT_ID", "").strip() or None
    client_secret = env.get("REGISTRY_OIDC_CLIENT_SECRET") or None
    local_login = _flag(env.get("REGISTRY_LOCAL_LOGIN", "1"), "REGISTRY_LOCAL_LOGIN")
    if issuer:
        parts = urlsplit(issuer)
        loopback = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not (parts.scheme == "https" and parts.hostname or loopback):
            raise ValueError(f"REGISTRY_OIDC_ISSUER must be an https:// address, not {issuer!r}")
        if not client_id or not client_secret:
            raise ValueError("REGISTRY_OIDC_ISSUER needs REGISTRY_OIDC_CLIENT_ID and "
                             "REGISTRY_OIDC_CLIENT_SECRET")
    elif not local_login:
        raise ValueError("REGISTRY_LOCAL_LOGIN=0 needs single sign-on (REGISTRY_OIDC_ISSUER)")
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_ROLE_CLAIM": env.get("REGISTRY_OIDC_ROLE_CLAIM", "").strip() or None,
        "LOCAL_LOGIN": local_login,
        "BREAK_GLASS_USERS": frozenset(
            name.strip().lower() for name in env.get("REGISTRY_BREAK_GLASS_USERS", "admin").split(",")
            if name.strip()),
    }


class SettingError(ValueError):
    """A REGISTRY_* setting the registry cannot start with; its message names it."""


def from_environment(instance_path: Path) -> dict:
    """Build the Flask config from REGISTRY_* environment variables. Without REGISTRY_SECRET_KEY,
    SECRET_KEY stays None here: create_app() reads the database's. Raises SettingError."""
    try:
        return _settings(instance_path)
    except SettingError:
        raise
    except ValueError as error:
        raise SettingError(str(error)) from error


def _settings(instance_path: Path) -> dict:
    env = os.environ
    database_url = env.get("REGISTRY_DATABASE_URL")
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'registry.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": env.get("REGISTRY_SECRET_KEY") or None,
        "FISCAL_YEAR_START": _fiscal_year_start(env.get("REGISTRY_FISCAL_YEAR_START", "4")),
        "COMPANY_NAME": env.get("REGISTRY_COMPANY_NAME", "").strip(),
        # the public notice (APPI Art. 32): the business's address and representative, where
        # requests and complaints go, and the fee for a notice of purpose or a disclosure
        "COMPANY_ADDRESS": env.get("REGISTRY_COMPANY_ADDRESS", "").strip(),
        "COMPANY_REPRESENTATIVE": env.get("REGISTRY_COMPANY_REPRESENTATIVE", "").strip(),
        "PRIVACY_CONTACT": env.get("REGISTRY_PRIVACY_CONTACT", "").strip(),
        # the privacy policy as published, which the catalogue's policy checks compare with
        "PUBLISHED_POLICY": _file(env.get("REGISTRY_PUBLISHED_POLICY", "").strip(),
                                  "REGISTRY_PUBLISHED_POLICY"),
        # a folder of the company's own letter templates, replacing the shipped ones by name
        "LETTER_TEMPLATES": _folder(env.get("REGISTRY_LETTER_TEMPLATES", "").strip(),
                                    "REGISTRY_LETTER_TEMPLATES"),
        "REQUEST_FEE": env.get("REGISTRY_REQUEST_FEE", "").strip(),
        "BABEL_DEFAULT_LOCALE": "en",
        "CATALOGUE_MISSES": _catalogue_misses(env.get("REGISTRY_CATALOGUE_MISSES", "")),
        "BABEL_DEFAULT_TIMEZONE": env.get("REGISTRY_TIMEZONE", "Asia/Tokyo"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("REGISTRY_SECURE_COOKIES", "0") == "1",
        "TRUSTED_PROXIES": _count(env.get("REGISTRY_TRUSTED_PROXIES", "0"), "REGISTRY_TRUSTED_PROXIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(env.get("REGISTRY_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("REGISTRY_LOGIN_MAX_FAILURES_ADDRESS", "20")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("REGISTRY_LOGIN_LOCKOUT_MINUTES", "15")),
        "SESSION_IDLE_MINUTES": _count(env.get("REGISTRY_SESSION_IDLE_MINUTES", "30"),
                                       "REGISTRY_SESSION_IDLE_MINUTES"),
        "SESSION_MAX_HOURS": _count(env.get("REGISTRY_SESSION_MAX_HOURS", "12"),
                                    "REGISTRY_SESSION_MAX_HOURS"),
        "PAGE_SIZE": 50,
        "PASSWORD_HASH_METHOD": "scrypt",
        # PPC practice: re-evaluate consignees at least yearly; high risk quarterly (appi.md)
        "CHECK_CADENCE_DAYS": _by_tier(env.get("REGISTRY_CHECK_CADENCE_DAYS",
                                               "high=90,medium=180,low=365"),
                                       "REGISTRY_CHECK_CADENCE_DAYS"),
        "ANSWER_DAYS": _by_tier(env.get("REGISTRY_ANSWER_DAYS", "high=14,medium=21,low=30"),
                                "REGISTRY_ANSWER_DAYS"),
        "CHECK_SEVERITY": _severities(env.get("REGISTRY_CHECK_SEVERITY", "")),
        "CONTRACT_NOTICE_DAYS": int(env.get("REGISTRY_CONTRACT_NOTICE_DAYS", "90")),
        "INCIDENT_DAYS": _days(env.get("REGISTRY_INCIDENT_DAYS", INCIDENT_DAYS),
                               "REGISTRY_INCIDENT_DAYS",
                               ("preliminary", "final", "final_malicious", "notice"),
                               INCIDENT_DAYS),
        # days a departed employee's access may stay in force before departed-access lists it
        "DEPARTED_ACCESS_DAYS": _count(env.get("REGISTRY_DEPARTED_ACCESS_DAYS", "0"),
                                       "REGISTRY_DEPARTED_ACCESS_DAYS"),
        # PPC rule 7(4): a leak of the data of more than this many persons must be reported
        "INCIDENT_PERSONS": _count(env.get("REGISTRY_INCIDENT_PERSONS", "1000"),
                                   "REGISTRY_INCIDENT_PERSONS"),
        "PROVISION_RECORD_YEARS": _days(env.get("REGISTRY_PROVISION_RECORD_YEARS",
                                                PROVISION_RECORD_YEARS),
                                        "REGISTRY_PROVISION_RECORD_YEARS", ("contract", "other"),
                                        PROVISION_RECORD_YEARS, unit="years"),
        # the company's target for answering an individual's request "without delay"
        "REQUEST_RESPONSE_DAYS": _count(env.get("REGISTRY_REQUEST_RESPONSE_DAYS", "14"),
                                        "REGISTRY_REQUEST_RESPONSE_DAYS"),
        "ATTACHMENT_MAX_BYTES": _attachment_max_bytes(env.get("REGISTRY_ATTACHMENT_MAX_BYTES",
                                                              str(20 * 1024 * 1024))),
        "JOBS_IN_APP": _flag(env.get("REGISTRY_JOBS_IN_APP", "1"), "REGISTRY_JOBS_IN_APP"),
        "JOBS_STALE_SECONDS": _count(env.get("REGISTRY_JOBS_STALE_SECONDS", "60"),
                                     "REGISTRY_JOBS_STALE_SECONDS"),
        "JOBS_IMPORT_MIN_BYTES": _count(env.get("REGISTRY_JOBS_IMPORT_MIN_BYTES", "262144"),
                                        "REGISTRY_JOBS_IMPORT_MIN_BYTES"),
        # the API's requests per token (Flask-Limiter's notation), counted in memory (per
        # process) or in a shared store (redis://host:6379) when several workers serve
        "API_RATE_LIMIT": _rate_limit(env.get("REGISTRY_API_RATE_LIMIT", "600 per minute")),
        "RATELIMIT_STORAGE_URI": env.get("REGISTRY_API_RATE_STORAGE", "memory://").strip(),
        **_single_sign_on(env),
        **_mail(env),
        **_import_limits(env),
    }
