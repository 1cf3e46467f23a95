"""Settings: defaults of the embedded mode, and production refusing unsafe values."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings import Settings

# A production configuration that is safe in every other respect.
PRODUCTION = {
    "env": "production",
    "secret_key": "x" * 40,
    "payment_provider": "tbank",
    "tbank_terminal_key": "1321054611234DEMO",
    "tbank_password": "terminal-password",
    "public_url": "https://lk.example.ru",
    "metrics_token": "metrics-token",
}


def test_development_defaults_to_sqlite_demo_data_and_a_generated_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.env == "development"
    assert settings.database_url.startswith("sqlite://")
    assert settings.demo_data is True
    assert len(settings.secret_key) >= 32
    assert Settings(_env_file=None).secret_key == settings.secret_key  # kept under var/


@pytest.mark.parametrize("secret", ["", "changethis", "short"])
def test_production_refuses_a_missing_or_default_secret(secret):
    with pytest.raises(ValidationError, match="LK_SECRET_KEY"):
        Settings(_env_file=None, **{**PRODUCTION, "secret_key": secret})


def test_production_refuses_disabled_captcha():
    with pytest.raises(ValidationError, match="LK_CAPTCHA"):
        Settings(
            _env_file=None,
            env="production",
            secret_key="x" * 40,
            captcha="disabled",
            payment_provider="tbank",
        )


def test_production_with_safe_values_starts_without_demo_data():
    settings = Settings(_env_file=None, **PRODUCTION)
    assert settings.demo_data is False


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"payment_provider": "sandbox"}, "LK_PAYMENT_PROVIDER"),
        ({"tbank_password": ""}, "LK_TBANK_PASSWORD"),
        ({"argon2_profile": "fast"}, "LK_ARGON2_PROFILE"),
        ({"allowed_origins": "*"}, "LK_ALLOWED_ORIGINS"),
    ],
)
def test_production_refuses_other_unsafe_values(override, named):
    with pytest.raises(ValidationError, match=named):
        Settings(_env_file=None, **{**PRODUCTION, **override})


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LK_PORT", "9123")
    monkeypatch.setenv("LK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lk")
    settings = Settings(_env_file=None)
    assert settings.port == 9123
    assert settings.database_url == "postgres://postgres@127.0.0.1:5432/lk"
