"""All routers, composed in one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from backend.api import ogc
from backend.api.errors import ErrorModel
from backend.api.routes import (
    analytics,
    audit,
    auth,
    awards,
    buildings,
    city,
    comments,
    config,
    cpv,
    documents,
    events,
    follows,
    funding,
    grants,
    guide,
    health,
    impact,
    moderation,
    notifications,
    oc4ids,
    opendata,
    opportunities,
    organisations,
    proposals,
    questionnaires,
    reports,
    responses,
    saved_searches,
    subpackages,
    tiles,
    tilesets,
    users,
    variants,
)

#: The error model, documented once for every operation: whatever 4xx or 5xx an operation
#: answers, the body is ``{"detail", "code"}`` (FastAPI's default 422 array is never sent, so
#: it is not documented either: FastAPI adds it only to operations without a ``4XX`` entry).
ERROR_MODEL_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorModel, "description": "Client error: `{detail, code}`"},
    "5XX": {"model": ErrorModel, "description": "Server error or unavailable: `{detail, code}`"},
}

#: Every resource router under ``/api/v1``, in the order the OpenAPI document lists them.
API_ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        health,
        config,
        auth,
        users,
        audit,
        proposals,
        documents,
        tilesets,
        buildings,
        comments,
        events,
        moderation,
        opportunities,
        organisations,
        cpv,
        saved_searches,
        opendata,
        analytics,
        funding,
        impact,
        # a twin that follows decisions (issue 12): approved schemes applied to the city
        city,
        # participation loop (issue 14): responses, follows, notifications, variants,
        # questionnaires, timeline and consultation reports
        responses,
        follows,
        notifications,
        variants,
        questionnaires,
        reports,
        # SME one-stop shop (issue 15): awards and KPIs, contractors' sub-packages, OC4IDS,
        # 360Giving, the one-stop-shop guide
        awards,
        subpackages,
        oc4ids,
        grants,
        guide,
    )
)
#: Routers outside ``/api/v1``: static 3D Tiles and OGC API - Features.
ROOT_ROUTERS: tuple[APIRouter, ...] = (tiles.router, ogc.router)


def add_routes(app: FastAPI) -> None:
    """Every operation straight on the app's router, with its full path (issue 10).

    ``include_router`` keeps each included router as a branch that this FastAPI matches
    twice per request, recomputing every branch's route version each time: 1.8-2.7 ms of
    CPU per request over our 163 operations (cProfile, in-process). Added flat, a request is
    one regular-expression scan. Each route keeps everything its own router gave it (tags,
    dependencies, responses are merged when a route is declared); what an include would add
    on top, the path prefix and the error model, is added here.
    """
    _add(app, "/api/v1", API_ROUTERS)
    _add(app, "", ROOT_ROUTERS)


def _add(app: FastAPI, prefix: str, routers: Iterable[APIRouter]) -> None:
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):  # pragma: no cover - a new kind of route
                raise TypeError(f"{route!r} in {router.prefix or '/'}: only API routes are added")
            app.router.add_api_route(
                prefix + route.path,
                route.endpoint,
                response_model=route.response_model,
                status_code=route.status_code,
                tags=list(route.tags),
                dependencies=list(route.dependencies),
                summary=route.summary,
                description=route.description,
                response_description=route.response_description,
                responses={**ERROR_MODEL_RESPONSES, **route.responses},
                deprecated=route.deprecated,
                methods=route.methods,
                operation_id=route.operation_id,
                response_model_include=route.response_model_include,
                response_model_exclude=route.response_model_exclude,
                response_model_by_alias=route.response_model_by_alias,
                response_model_exclude_unset=route.response_model_exclude_unset,
                response_model_exclude_defaults=route.response_model_exclude_defaults,
                response_model_exclude_none=route.response_model_exclude_none,
                include_in_schema=route.include_in_schema,
                response_class=route.response_class,
                name=route.name,
                callbacks=route.callbacks,
                openapi_extra=route.openapi_extra,
                generate_unique_id_function=route.generate_unique_id_function,
            )
