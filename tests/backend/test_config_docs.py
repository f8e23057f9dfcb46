from pathlib import Path

from backend.config_docs import render
from backend.settings import Settings


def test_configuration_reference_is_current() -> None:
    committed = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    assert committed == render(), "run: civictwin config docs > docs/configuration.md"


def test_configuration_reference_lists_every_setting() -> None:
    text = render()
    for name in Settings.model_fields:
        assert f"`CIVICTWIN_{name.upper()}`" in text
    assert "civictwin-development-secret" not in text
