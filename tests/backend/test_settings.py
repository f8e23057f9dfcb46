import secrets

import pytest
from pydantic import ValidationError

from backend.settings import DEVELOPMENT_SECRET, Settings


def test_defaults_are_the_embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("CIVICTWIN_"):
            monkeypatch.delenv(key)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url == "sqlite:///data/civictwin.sqlite"
    assert s.environment == "development"
    assert s.redis_url is None and s.smtp_url is None
    assert s.cors_origins == []


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICTWIN_DATABASE_URL", "postgresql+psycopg://u@db/x")
    monkeypatch.setenv("CIVICTWIN_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("CIVICTWIN_LOG_FORMAT", "json")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url == "postgresql+psycopg://u@db/x"
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert s.log_format == "json"


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "is the development default"),
        (DEVELOPMENT_SECRET, "is the development default"),
        ("short", "is 5 characters long"),
        # long enough, but guessable: each was accepted when only the length was checked
        ("x" * 40, "is a piece repeated"),
        ("Tr0ub4dor&3" * 4, "is a piece repeated"),
        ("please-changeme-to-a-long-random-value", "placeholder (contains 'changeme')"),
        ("my-production-secret-for-civictwin-2026", "placeholder (contains 'secret')"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "repeated or consecutive characters"),
        ("abababababababcdcdcdcdcdcdcdabababab", "is a piece repeated"),
        ("0110100110010110100101100110100101101001", "is a piece repeated"),
    ],
)
def test_production_refuses_a_missing_default_or_weak_secret(
    secret: str | None, reason: str
) -> None:
    kwargs = {} if secret is None else {"secret_key": secret}
    with pytest.raises(ValidationError, match="CIVICTWIN_SECRET_KEY") as raised:
        Settings(_env_file=None, environment="production", **kwargs)  # type: ignore[call-arg]
    assert reason in str(raised.value)


def test_production_accepts_a_real_secret() -> None:
    for secret in (secrets.token_urlsafe(48), secrets.token_hex(16), secrets.token_urlsafe(32)):
        s = Settings(_env_file=None, environment="production", secret_key=secret)  # type: ignore[call-arg]
        assert s.is_production


def test_env_example_lists_every_setting_with_its_default() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / ".env.example").read_text()
    listed = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in text.splitlines()
        if "CIVICTWIN_" in line and "=" in line
    }
    expected = {f"CIVICTWIN_{name.upper()}" for name in Settings.model_fields}
    assert expected <= listed, f"missing in .env.example: {sorted(expected - listed)}"
