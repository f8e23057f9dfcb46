"""``/api/v1/config``: start-up configuration of the viewer (no request leaves by default)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import SettingsDep
from backend.schemas.config import Home, Imagery, ViewerConfig

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
