"""Typed settings read from the environment (prefix ``LK_``) and an optional ``.env`` file.

Every setting is documented in README.md. Production refuses unsafe values at start-up.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
VAR_DIR = ROOT / "var"
UNSAFE_SECRETS = {"", "changethis", "secret", "dev", "development"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LK_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    # One log line per HTTP request (aiohttp's access log); switch off behind a proxy that logs.
    access_log: bool = True
    # Read-only queries answered by their compiled plan (schema/compiled.py); false: graphql-core
    # executes every operation. In development a request may ask for graphql-core with the
    # header `X-LK-Execution: interpreted` (or for the plan without SQL: `compiled`).
    graphql_compiled: bool = True
    # On PostgreSQL, plans of the fields schema/sql_reads.py covers answered by one statement
    # whose JSON PostgreSQL builds; false: by the plan. Only with graphql_compiled.
    graphql_sql: bool = True
    # Server processes sharing the port (SO_REUSEPORT); 0 means one per core. More than one
    # needs LK_REDIS_URL (subscriptions cross processes through Redis); without it, one is used.
    workers: int = Field(default=0, ge=0)
    database_url: str = ""
    redis_url: str = ""
    # Prefix of every Redis key and channel: lets several deployments (or test runs) share one Redis.
    redis_prefix: str = "lk"
    secret_key: str = ""
    public_url: str = ""
    demo_data: bool | None = None
    captcha: Literal["enabled", "disabled"] = "enabled"
    smtp_url: str = ""
    smtp_from: str = "ЛК Энергосбыт <noreply@lk.example.ru>"
    sms_url: str = ""
    payment_provider: Literal["sandbox", "tbank"] = "sandbox"
    sandbox_secret: str = ""
    tbank_url: str = "https://securepay.tinkoff.ru"
    tbank_terminal_key: str = ""
    tbank_password: str = ""
    # Largest total of one cabinet payment, rubles.
    payment_max_total: Decimal = Decimal("100000.00")
    # Minutes a PENDING payment waits before reconciliation asks the acquirer about it.
    payment_reconcile_after_minutes: int = 5
    # Hours after which a payment nobody paid is expired.
    payment_expire_after_hours: int = 24
    # Days of the month when readings count for the current period (inclusive).
    readings_window_start_day: int = Field(default=1, ge=1, le=31)
    readings_window_end_day: int = Field(default=31, ge=1, le=31)
    # A reading more than this above the previous one (per register, per month) is implausible.
    reading_monthly_limit: Decimal = Decimal("10000")
    # The retailer's local time zone: periods and the readings window follow its calendar.
    timezone: str = "Asia/Yekaterinburg"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # "fast" lowers argon2 cost for the test suite; never use it in production.
    argon2_profile: Literal["standard", "fast"] = "standard"
    # Apply pending migrations on start ("migrate"), build tables from models ("generate", tests),
    # or neither ("ready": the parent of several workers migrated before starting them).
    schema_mode: Literal["migrate", "generate", "ready"] = "migrate"
    # Background tasks (outbox sender, reconciliation); tests may switch them off.
    background_tasks: bool = True
    # Origins whose pages may call the API (CORS) and open its websockets: comma-separated
    # (or a JSON list), e.g. https://lk.example.ru,https://app.example.ru.
    allowed_origins: Annotated[list[str], NoDecode] = []
    # Platform: GraphQL query limits (both endpoints), request body size, introspection
    # (unset: on in development, off in production). See docs/platform.md.
    graphql_max_depth: int = Field(default=12, ge=1)
    graphql_max_aliases: int = Field(default=30, ge=0)
    graphql_max_tokens: int = Field(default=5000, ge=100)
    graphql_max_list_size: int = Field(default=1000, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    introspection: bool | None = None
    # Platform: the bearer token /metrics asks of the scraper (unset: /metrics is open).
    metrics_token: str = ""
    # Platform: log format, "json" (one JSON object a line) or "text" (for a terminal).
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # Minutes a signed link to a PDF document (documentUrl) stays valid.
    document_link_minutes: int = Field(default=10, ge=1, le=60)
    # E-mails with a bill (sendPaymentDocument) one account may queue per hour.
    document_emails_per_hour: int = Field(default=10, ge=1)
    # The outbox sender: seconds between polls, tries before a message is given up as failed,
    # and the first retry delay (doubled after every failure, at most an hour).
    outbox_poll_seconds: float = 2.0
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_retry_seconds: int = Field(default=30, ge=1)
    # Integration endpoint: most items one bulk mutation takes (one transaction), and rows per
    # transaction when cli.py imports a file.
    integration_max_items: int = Field(default=1000, ge=1)
    integration_batch_size: int = Field(default=1000, ge=1)
    # Faults: seconds one database statement (or opening a connection) may take in the server
    # before it fails (PostgreSQL); a database that stops answering fails requests within
    # about three times this (asyncpg's cancel and a new connection get as long again each)
    # instead of hanging them until it answers.
    database_timeout: float = Field(default=10, gt=0)
    # Registration: account numbers one source (IP address) may look up with bindAccount an
    # hour (each answers whether the number can be registered, and its street).
    bind_account_per_source_hour: int = Field(default=20, ge=1)
    # The customers' web app, where the links in e-mails lead (activation, recovery, e-mail
    # change); unset: they lead to this server (LK_PUBLIC_URL), which serves small pages there.
    app_url: str = ""
    # How customers reach support: the `support` query and the footer of e-mails and PDFs.
    support_phone: str = "+7 (3435) 230 255"
    support_email: str = "lk@ntesk.ru"
    support_site: str = "https://ntesk.ru"
    # Opening hours or other notes, shown as configured; empty: none.
    support_hours: str = ""
    # Where customers' questions (askQuestion) are e-mailed; empty: LK_SUPPORT_EMAIL.
    support_questions_email: str = ""
    # askQuestion: questions one source (IP address) may send an hour, one signed-in user a
    # day, and one e-mail address or phone a day (local days in LK_TIMEZONE).
    questions_per_source_hour: int = Field(default=10, ge=1)
    questions_per_user_day: int = Field(default=10, ge=1)
    questions_per_contact_day: int = Field(default=5, ge=1)
    # Sessions: how often an open websocket re-checks its session or API key in the database,
    # besides the revocation events of the broker (which a process without LK_REDIS_URL, such
    # as cli.py, cannot send to the server).
    ws_recheck_seconds: float = Field(default=30, gt=0)
    # Reminders (services/reminders): the daily pass (off: none sent), the local hour (in
    # LK_TIMEZONE) from which it runs each day, and what it sends: the window-opens reminder,
    # the window-closes one from this many days before the window's last day (0: none), the
    # verification ones this many days before the meter's verification date (0: none).
    reminders: bool = True
    reminder_hour: int = Field(default=10, ge=0, le=23)
    reminder_window_opens: bool = True
    reminder_window_closing_days: int = Field(default=3, ge=0, le=31)
    reminder_verification_soon_days: int = Field(default=60, ge=0, le=366)
    reminder_verification_urgent_days: int = Field(default=14, ge=0, le=366)
    # Development and tests only (production refuses it): the clock stands at this moment
    # (ISO 8601 with an offset), e.g. to run the reminders of a given day.
    fixed_now: datetime | None = None
    # Production: what it may run with although unsafe, comma-separated (see INSECURE_ITEMS),
    # e.g. LK_ALLOW_INSECURE=demo_data,open_metrics for a demonstration stand.
    allow_insecure: Annotated[list[str], NoDecode] = []

    @field_validator("allowed_origins", "allow_insecure", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _defaults_and_safety(self) -> Settings:
        if self.demo_data is None:
            self.demo_data = self.env == "development"
        if self.introspection is None:
            self.introspection = self.env == "development"
        if not self.database_url:
            self.database_url = f"sqlite://{VAR_DIR / 'lk.sqlite3'}"
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        self.public_url = self.public_url.rstrip("/")
        self.app_url = self.app_url.rstrip("/")
        if self.env == "production":
            problems = []
            if self.secret_key.strip().lower() in UNSAFE_SECRETS or len(self.secret_key) < 32:
                problems.append("LK_SECRET_KEY must be set to a random value of 32+ characters")
            if self.captcha == "disabled":
                problems.append("LK_CAPTCHA=disabled is not allowed in production")
            if self.argon2_profile != "standard":
                problems.append("LK_ARGON2_PROFILE must be 'standard' in production")
            if self.payment_provider == "sandbox":
                problems.append("LK_PAYMENT_PROVIDER=sandbox is not allowed in production")
            if self.fixed_now is not None:
                problems.append("LK_FIXED_NOW is not allowed in production")
            if "*" in self.allowed_origins:
                problems.append("LK_ALLOWED_ORIGINS must name origins, not '*', in production")
            # Payments: without the terminal's credentials every payment would fail at Init.
            if self.payment_provider == "tbank" and not (
                self.tbank_terminal_key and self.tbank_password
            ):
                problems.append("LK_TBANK_TERMINAL_KEY and LK_TBANK_PASSWORD must be set")
            problems.extend(self._insecure_in_production())
            if problems:
                raise ValueError("; ".join(problems))
        else:
            if not self.secret_key:
                self.secret_key = _development_secret()
        if self.fixed_now is not None and self.fixed_now.tzinfo is None:
            raise ValueError("LK_FIXED_NOW needs a UTC offset, e.g. 2026-12-01T10:00:00+05:00")
        if not self.sandbox_secret:
            self.sandbox_secret = self.secret_key + ":sandbox"
        return self

    def _insecure_in_production(self) -> list[str]:
        """What production refuses unless LK_ALLOW_INSECURE names it."""
        unknown = sorted(set(self.allow_insecure) - set(INSECURE_ITEMS))
        found = [f"LK_ALLOW_INSECURE: unknown {', '.join(unknown)}"] if unknown else []
        unsafe = {
            "demo_data": bool(self.demo_data),
            "introspection": bool(self.introspection),
            "open_metrics": not self.metrics_token,
            "http_public_url": not self.public_url.lower().startswith("https://"),
            "smtp_plaintext": bool(self.smtp_url) and not _smtp_requires_tls(self.smtp_url),
        }
        for item, is_unsafe in unsafe.items():
            if is_unsafe and item not in self.allow_insecure:
                found.append(f"{INSECURE_ITEMS[item]} (or LK_ALLOW_INSECURE={item})")
        return found

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def links_url(self) -> str:
        """Base of the links sent to customers: the web app, else this server's own pages."""
        return self.app_url or self.public_url

    @property
    def worker_count(self) -> int:
        """Server processes to run: LK_WORKERS (one per core when 0), one without Redis."""
        if not self.redis_url:
            return 1
        return self.workers or os.cpu_count() or 1


# What production refuses unless LK_ALLOW_INSECURE lists it, and why.
INSECURE_ITEMS = {
    "demo_data": "LK_DEMO_DATA is not allowed in production: the demo users could sign in",
    "introspection": "LK_INTROSPECTION is not allowed in production",
    "open_metrics": "LK_METRICS_TOKEN must be set in production (/metrics would be open)",
    "http_public_url": "LK_PUBLIC_URL must be https:// in production",
    "smtp_plaintext": "LK_SMTP_URL must use TLS in production: smtps:// or ?starttls=required",
}


def _smtp_requires_tls(url: str) -> bool:
    """smtps:// (TLS from the first byte) or smtp:// with starttls=required; plain smtp://
    upgrades only when the server offers STARTTLS, which an attacker in between can hide."""
    parts = urlsplit(url)
    if parts.scheme == "smtps":
        return True
    return parse_qs(parts.query).get("starttls", [""])[-1] == "required"


def _development_secret() -> str:
    """A random secret generated once and kept under var/, so tokens survive a restart."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
