"""The Khronos glTF validator (npm, in ``tests/validators``), shared by the tests and the bench."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

VALIDATORS = Path(__file__).resolve().parent / "validators"


class ValidatorUnavailable(RuntimeError):
    """node or the validator's npm packages are missing."""


def validate_glbs(folder: Path, timeout: float = 300) -> dict:
    """Validate every glb under ``folder``; the validator's summary (errors, warnings, files...)."""
    node = shutil.which("node")
    if node is None:
        raise ValidatorUnavailable("node is not installed; the glTF validator needs it")
    if not (VALIDATORS / "node_modules" / "gltf-validator").exists():
        raise ValidatorUnavailable(
            "tests/validators/node_modules is missing: run `npm ci` in tests/validators"
        )
    proc = subprocess.run(
        [node, str(VALIDATORS / "validate_glb.js"), str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode == 2 or not proc.stdout:
        raise ValidatorUnavailable(f"the glTF validator did not run: {proc.stderr}")
    return json.loads(proc.stdout)
