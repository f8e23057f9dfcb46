from pathlib import Path

import pytest

from backend.settings import Settings
from tests.backend.city.fixtures import as_role, city, city_build  # noqa: F401


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The test settings with the coarse impact grids (a small study in seconds)."""
    return Settings(
        _env_file=None,
        database_url=db_url,
        tiles_dir=tmp_path / "tiles",
        uploads_dir=tmp_path / "uploads",
        frontend_dir=tmp_path / "no-frontend",
        impact_quick=True,
    )
