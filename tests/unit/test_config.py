from __future__ import annotations

import pytest

from portal.config import DEVELOPMENT_SECRET_KEY, ConfigError, Settings, contrast_with_white


def test_defaults_work_locally() -> None:
    settings = Settings.from_env({})
    assert settings.env == "development"
    assert settings.sqlalchemy_url("/srv/instance") == "sqlite:////srv/instance/portal.sqlite3"


@pytest.mark.parametrize("key", [None, DEVELOPMENT_SECRET_KEY, "short"])
def test_production_refuses_to_start_without_a_real_secret_key(key: str | None) -> None:
    environ = {"PORTAL_ENV": "production"}
    if key is not None:
        environ["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="SECRET_KEY must be set to a random value"):
        Settings.from_env(environ)


def test_production_starts_with_a_real_secret_key() -> None:
    settings = Settings.from_env({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 64})
    assert settings.is_production


def test_the_app_itself_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
        ("postgresql://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
    ],
)
def test_database_urls_get_the_psycopg_driver(url: str, expected: str) -> None:
    assert Settings.from_env({"DATABASE_URL": url}).sqlalchemy_url("/x") == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of"),
        ({"BRAND_COLOUR": "purple"}, "BRAND_COLOUR must be a hex colour"),
        ({"BRAND_COLOUR": "#ffdd00"}, "dark enough for white text"),
        ({"MAIL_TRANSPORT": "pigeon"}, "MAIL_TRANSPORT must be one of"),
        ({"MAIL_TRANSPORT": "notify"}, "NOTIFY_API_KEY"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a whole number"),
        ({"FINANCIAL_YEAR_START_MONTH": "13"}, "FINANCIAL_YEAR_START_MONTH"),
        ({"RETURN_DUE_DAYS": "0"}, "RETURN_DUE_DAYS must be at least 1"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of json, console"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL must be one of"),
    ],
)
def test_bad_settings_are_explained(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#1d70b8") == pytest.approx(5.17, abs=0.01)
