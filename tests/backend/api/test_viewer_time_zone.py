"""The deployment's time zone reaches the viewer (its sun study reads clock times there)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from backend.main import create_app
from backend.settings import Settings


def test_viewer_config_publishes_the_default_time_zone(client: TestClient) -> None:
    assert client.get("/api/v1/config").json()["time_zone"] == "Europe/London"


def test_viewer_config_publishes_a_configured_time_zone(
    settings: Settings, database: object
) -> None:
    configured = settings.model_copy(update={"time_zone": "Europe/Tallinn"})
    with TestClient(create_app(configured, database=database)) as c:  # type: ignore[arg-type]
        assert c.get("/api/v1/config").json()["time_zone"] == "Europe/Tallinn"


@pytest.mark.parametrize("bad", ["London", "Europe/Atlantis", "../etc/passwd", ""])
def test_an_unknown_time_zone_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, time_zone=bad)  # type: ignore[call-arg]
    assert "CIVICTWIN_TIME_ZONE" in str(info.value)
    assert "IANA" in str(info.value)
