"""Every API operation appears in some authorization matrix (COVERED_OPERATIONS)."""

from __future__ import annotations

import importlib
from pathlib import Path

from backend.main import create_app
from backend.settings import Settings

HERE = Path(__file__).parent


def covered_operations() -> set[str]:
    covered: set[str] = set()
    for path in HERE.rglob("test_authz_*.py"):
        module_name = ".".join(path.relative_to(HERE.parents[1]).with_suffix("").parts)
        covered |= set(getattr(importlib.import_module(module_name), "COVERED_OPERATIONS", ()))
    return covered


def test_every_operation_has_an_authorization_matrix(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path}/x.sqlite",
        frontend_dir=tmp_path / "none",
    )
    spec = create_app(settings).openapi()
    operations = {
        op["operationId"]
        for path, methods in spec["paths"].items()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }
    missing = sorted(operations - covered_operations())
    assert not missing, f"operations without an authorization matrix: {missing}"
