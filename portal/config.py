"""Settings, read from the environment only and validated at start-up.

Every setting has a default that works on a developer's machine; production mode refuses to start
with a missing or weak SECRET_KEY and says why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from portal.domain.compliance import Thresholds
from portal.domain.reminders import Schedule

DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105 (refused in production)
MIN_SECRET_KEY_LENGTH = 32
ENVIRONMENTS = ("development", "test", "production")
LOG_FORMATS = ("json", "console")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAIL_TRANSPORTS = ("console", "file", "smtp", "notify")
SMTP_SECURITY = ("none", "starttls", "ssl")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    database_url: str = ""  # empty: SQLite in the instance folder
    # PostgreSQL time limits per connection, in milliseconds (0: none). Web requests give up
    # soon, so that one held lock cannot tie up every worker; jobs and commands may wait longer.
    db_statement_timeout_ms: int = 10000
    db_lock_timeout_ms: int = 3000
    db_connect_timeout_seconds: int = 2  # /healthz answers within this when the database is down
    job_statement_timeout_ms: int = 0
    job_lock_timeout_ms: int = 60000
    base_url: str = "http://127.0.0.1:5000"
    council_name: str = "Northmoor City Council"
    service_name: str = "Social value tracker"
    brand_colour: str = "#6f2c91"
    support_email: str = "socialvalue@northmoor.example"
    # logs (portal.logs): one JSON object a line, or "console" for people; empty: console in
    # development, json elsewhere
    log_format: str = ""
    log_level: str = "INFO"
    # sign-in and accounts
    sign_in_rate_limit: str = "5 per minute;20 per hour"  # per email address
    sign_in_ip_rate_limit: str = "30 per minute;300 per hour"  # per client address
    ratelimit_storage_uri: str = "memory://"
    invitation_valid_days: int = 7
    password_reset_valid_minutes: int = 60
    session_hours: int = 8  # a session ends this long after sign-in, however busy
    session_idle_minutes: int = 30  # ... or after this long without a request
    # How many proxies (load balancers) in front of the app set X-Forwarded-For and friends;
    # 0 trusts none of those headers, so that a client cannot choose its own address.
    trusted_proxies: int = 0
    # email
    mail_transport: str = "console"
    mail_from: str = "socialvalue@northmoor.example"
    mail_file_dir: str = ""  # empty: instance/outbox
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: int = 10
    notify_api_key: str = ""
    notify_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    mail_max_attempts: int = 8  # with the backoff in portal.domain.mail, about two days
    # reporting calendar and counting
    financial_year_start_month: int = 4
    return_due_days: int = 30
    full_time_hours: int = 37
    evidence_max_mb: int = 10
    # reminders (design brief section 6)
    reminder_days_before: str = "14,3"
    escalate_after_days: int = 7
    escalate_every_days: int = 7
    nudge_after_days: int = 7
    digest_weekday: int = 0  # Monday
    # compliance thresholds, in per cent (design brief section 5)
    on_track_pct: int = 100
    behind_pct: int = 80
    good_pct: int = 95
    approaching_pct: int = 85
    requires_improvement_pct: int = 70

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def logs_as(self) -> str:
        return self.log_format or ("console" if self.env == "development" else "json")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(env_name(field.name))
            if raw is None or raw == "":
                continue
            if field.type == "int":
                try:
                    values[field.name] = int(raw)
                except ValueError as error:
                    raise ConfigError(f"{env_name(field.name)} must be a whole number") from error
            else:
                values[field.name] = raw.strip()
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.is_production and (
            self.secret_key == DEVELOPMENT_SECRET_KEY
            or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production: it signs sessions and "
                "links, so a guessable key lets anyone sign in as anyone. Generate one with: "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if not HEX_COLOUR.match(self.brand_colour):
            raise ConfigError("BRAND_COLOUR must be a hex colour such as #6f2c91")
        if contrast_with_white(self.brand_colour) < 4.5:
            raise ConfigError(
                "BRAND_COLOUR must be dark enough for white text on it "
                "(contrast of at least 4.5:1, WCAG 2.2 AA)"
            )
        if self.log_format and self.log_format not in LOG_FORMATS:
            raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        if self.log_level.upper() not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.mail_transport not in MAIL_TRANSPORTS:
            raise ConfigError(f"MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}")
        if self.smtp_security not in SMTP_SECURITY:
            raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
        if self.mail_transport == "notify" and not (
            self.notify_api_key and self.notify_template_id
        ):
            raise ConfigError(
                "MAIL_TRANSPORT=notify needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID "
                "(a template whose subject is ((subject)) and body is ((body)))"
            )
        if not self.behind_pct <= self.on_track_pct:
            raise ConfigError("BEHIND_PCT must not be more than ON_TRACK_PCT")
        if not self.requires_improvement_pct <= self.approaching_pct <= self.good_pct:
            raise ConfigError(
                "Rating thresholds must rise: "
                "REQUIRES_IMPROVEMENT_PCT <= APPROACHING_PCT <= GOOD_PCT"
            )
        if not re.fullmatch(r"\d+(,\d+)*", self.reminder_days_before.replace(" ", "")):
            raise ConfigError("REMINDER_DAYS_BEFORE must be whole numbers separated by commas")
        for name in (
            "db_statement_timeout_ms",
            "db_lock_timeout_ms",
            "job_statement_timeout_ms",
            "job_lock_timeout_ms",
        ):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name.upper()} must be 0 (no limit) or more")
        if self.trusted_proxies < 0:
            raise ConfigError("TRUSTED_PROXIES must be 0 or more")
        if not 0 <= self.digest_weekday <= 6:
            raise ConfigError("DIGEST_WEEKDAY must be from 0 (Monday) to 6 (Sunday)")
        if not 1 <= self.financial_year_start_month <= 12:
            raise ConfigError("FINANCIAL_YEAR_START_MONTH must be from 1 to 12")
        for name in (
            "invitation_valid_days",
            "password_reset_valid_minutes",
            "session_hours",
            "session_idle_minutes",
            "db_connect_timeout_seconds",
            "mail_max_attempts",
            "return_due_days",
            "full_time_hours",
            "evidence_max_mb",
            "escalate_after_days",
            "escalate_every_days",
            "nudge_after_days",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.upper()} must be at least 1")

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            days_before=tuple(int(day) for day in self.reminder_days_before.split(",") if day),
            escalate_after_days=self.escalate_after_days,
            escalate_every_days=self.escalate_every_days,
            nudge_after_days=self.nudge_after_days,
            digest_weekday=self.digest_weekday,
        )

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(
            on_track_pct=Decimal(self.on_track_pct),
            behind_pct=Decimal(self.behind_pct),
            good_pct=Decimal(self.good_pct),
            approaching_pct=Decimal(self.approaching_pct),
            requires_improvement_pct=Decimal(self.requires_improvement_pct),
        )

    def sqlalchemy_url(self, instance_path: str | Path) -> str:
        url = self.database_url
        if not url:
            return f"sqlite:///{Path(instance_path) / 'portal.sqlite3'}"
        # Platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


def engine_options(settings: Settings, url: str, *, job: bool) -> dict[str, Any]:
    """SQLAlchemy engine options: on PostgreSQL, each connection carries its time limits (the
    job ones for commands), and connecting gives up after the connect timeout. SQLite has no
    such settings."""
    options: dict[str, Any] = {
        "pool_pre_ping": True,  # recover by itself after an outage
        # A failed statement's message leaves out its values (email addresses, names), so
        # that logging the error does not log them.
        "hide_parameters": True,
    }
    if not url.startswith("postgresql"):
        return options
    statement = settings.job_statement_timeout_ms if job else settings.db_statement_timeout_ms
    lock = settings.job_lock_timeout_ms if job else settings.db_lock_timeout_ms
    options["connect_args"] = {
        "connect_timeout": settings.db_connect_timeout_seconds,
        "options": f"-c statement_timeout={statement} -c lock_timeout={lock}",
    }
    return options


def current_settings() -> Settings:
    """The running app's settings (validated at start-up)."""
    from flask import current_app

    return current_app.config["SETTINGS"]


def env_name(setting: str) -> str:
    return "PORTAL_ENV" if setting == "env" else setting.upper()


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2 contrast ratio of white text on this colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)
