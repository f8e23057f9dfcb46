"""``/api/v1/config``: start-up configuration of the viewer (no request leaves by default)."""

from __future__ import annotations

from typing import Any

from annotated_types import Le, MaxLen
from fastapi import APIRouter
from pydantic import BaseModel

from backend.api.deps import SettingsDep
from backend.schemas.comments import CommentCreate
from backend.schemas.config import Home, Imagery, ViewerConfig
from backend.schemas.proposals import MassingProperties
from backend.schemas.users import RegisterRequest
from backend.schemas.vocabularies import Limits, Vocabularies, vocabularies
from backend.services.comments import MAX_DEPTH
from backend.services.massing import STOREY_HEIGHT_M

router = APIRouter(tags=["system"])

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


@router.get(
    "/config",
    response_model=ViewerConfig,
    operation_id="getViewerConfig",
    summary="Base layers, terrain, default tileset and home view for the viewer",
)
def get_config(settings: SettingsDep) -> ViewerConfig:
    if settings.imagery_url:
        imagery = Imagery(
            type=settings.imagery_type,
            url=settings.imagery_url,
            layer=settings.imagery_layer,
            credit=settings.imagery_credit,
        )
    else:
        imagery = Imagery(type="natural-earth", credit="Natural Earth II")
    return ViewerConfig(
        imagery=imagery,
        terrain_url=settings.terrain_url,
        default_tileset=settings.default_tileset,
        home=Home(lon=settings.home_lon, lat=settings.home_lat, height=settings.home_height_m),
        attribution=OSM_ATTRIBUTION,
        time_zone=settings.time_zone,
    )


def _bound(model: type[BaseModel], field: str, kind: type[Any]) -> Any:
    """The bound a model's field declares (``Le`` -> le, ``MaxLen`` -> max_length): the
    limits are published from the models that enforce them, never written twice."""
    for item in model.model_fields[field].metadata:
        if isinstance(item, kind):
            return item.le if isinstance(item, Le) else item.max_length
    raise LookupError(f"{model.__name__}.{field} declares no {kind.__name__}")


@router.get(
    "/vocabularies",
    response_model=Vocabularies,
    operation_id="getVocabularies",
    summary="The closed vocabularies (stages, topics, reasons, states, event types) and limits",
)
def get_vocabularies(settings: SettingsDep) -> Vocabularies:
    return vocabularies(
        Limits(
            thread_depth=MAX_DEPTH,
            comment_max_length=settings.comment_max_length,
            comment_topics_max=_bound(CommentCreate, "topics", MaxLen),
            display_name_max_length=_bound(RegisterRequest, "display_name", MaxLen),
            organisation_name_max_length=_bound(RegisterRequest, "organisation_name", MaxLen),
            massing_height_max_m=_bound(MassingProperties, "height_m", Le),
            massing_storeys_max=_bound(MassingProperties, "storeys", Le),
            metres_per_storey=STOREY_HEIGHT_M,
        )
    )
