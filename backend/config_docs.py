"""The configuration reference (docs/configuration.md), generated from :class:`Settings`."""

from __future__ import annotations

from pydantic import SecretStr

from backend.settings import Settings


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        return "*(development only: a built-in value; required in production)*"
    if value is None:
        return "*(unset)*"
    if isinstance(value, list):
        return "`" + ",".join(map(str, value)) + "`" if value else "*(empty)*"
    return f"`{value}`"


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from `backend/settings.py` by `civictwin config docs > docs/configuration.md`;",
        "a test keeps it current. Set each as an environment variable (or in `.env`).",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        desc = (field.description or "").replace("|", "\\|")
        lines.append(f"| `CIVICTWIN_{name.upper()}` | {_default(name)} | {desc} |")
    lines += [
        "",
        "In production (`CIVICTWIN_ENVIRONMENT=production`) the server refuses to start unless",
        "`CIVICTWIN_SECRET_KEY` is a random value of at least 32 characters, and session cookies",
        "are marked `Secure`.",
        "",
    ]
    return "\n".join(lines)
