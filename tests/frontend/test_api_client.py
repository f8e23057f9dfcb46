"""One contract: the frontend's typed client is generated from the backend's OpenAPI document.

``make test`` fails here when ``frontend/src/api/schema.d.ts`` is stale: the document is built
with the same command developers run (``create_app_from_env().openapi()``), the client is
generated into a temporary file by ``frontend/scripts/gen-api.mjs --check`` and compared; the
failure message gives the command that regenerates it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
BUILD_DOC = (
    "import json; from backend.main import create_app_from_env; "
    "print(json.dumps(create_app_from_env().openapi()))"
)


def test_generated_api_client_is_up_to_date(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is needed (scripts/bootstrap.sh installs it)"
    assert (FRONTEND / "node_modules/.bin/openapi-typescript").exists(), (
        "frontend npm packages missing: run scripts/bootstrap.sh test"
    )
    doc = subprocess.run(
        [sys.executable, "-c", BUILD_DOC], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    source = tmp_path / "openapi.json"
    source.write_text(doc)
    result = subprocess.run(
        [node, "scripts/gen-api.mjs", str(source), "--check"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
