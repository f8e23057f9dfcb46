"""Offline validators of OC4IDS project packages and 360Giving grant packages, from the copies of
the official schemas in tests/data (see the README beside each)."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

DATA = Path(__file__).parents[2] / "data"
OC4IDS = DATA / "oc4ids"
GIVING = DATA / "360giving"


def codes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


@cache
def _oc4ids() -> jsonschema.Draft4Validator:
    package = json.loads((OC4IDS / "project-package-schema.json").read_text())
    project = json.loads((OC4IDS / "project-schema.json").read_text())
    registry: Registry[Any] = Registry().with_resource(
        project["id"], Resource.from_contents(project, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid_oc4ids(package: dict[str, Any]) -> None:
    errors = sorted(_oc4ids().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    cl = OC4IDS / "codelists"
    for project in package["projects"]:
        assert project["status"] in codes(cl / "projectStatus.csv")
        assert project["type"] in codes(cl / "projectType.csv")
        for party in project["parties"]:
            assert set(party["roles"]) <= codes(cl / "partyRole.csv"), party["roles"]
        for location in project.get("locations", []):
            assert location["geometry"]["type"] in codes(cl / "geometryType.csv")
        for process in project["contractingProcesses"]:
            assert process["summary"]["status"] in codes(cl / "contractingProcessStatus.csv")
            for linked in process["releases"]:
                assert set(linked["tag"]) <= codes(cl / "releaseTag.csv")


@cache
def _giving() -> jsonschema.Draft202012Validator:
    package = json.loads((GIVING / "360-giving-package-schema.json").read_text())
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    resource = Resource.from_contents(grant, default_specification=DRAFT202012)
    referenced = package["properties"]["grants"]["items"]["$ref"]
    registry: Registry[Any] = Registry().with_resources(
        [(grant["$id"], resource), (referenced, resource)]
    )
    return jsonschema.Draft202012Validator(
        package, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid_360giving(package: dict[str, Any]) -> None:
    errors = sorted(_giving().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
