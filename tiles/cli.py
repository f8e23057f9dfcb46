"""``civictwin tiles``: build a 3D Tiles tileset from building data."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from tiles.errors import TilingError

app = typer.Typer(help="City pipeline: building data to 3D Tiles 1.1.", no_args_is_help=True)


def _type_heights(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise typer.BadParameter(
                f"expected TYPE=STOREYS, got {item!r}", param_hint="--type-storeys"
            )
    return out


@app.callback()
def main() -> None:
    """City pipeline: building data to 3D Tiles 1.1."""


@app.command()
def build(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Footprint files (GeoJSON, GeoPackage, "
            "Shapefile, FlatGeobuf, OSM PBF) or CityJSON."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Tiles folder; the tileset goes to OUT/NAME.")],
    name: Annotated[str | None, typer.Option(help="Tileset name (default: first input's).")] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of inputs that declare none, e.g. EPSG:28992.")
    ] = None,
    layer: Annotated[str | None, typer.Option(help="Layer to read from multi-layer files.")] = None,
    id_field: Annotated[str | None, typer.Option(help="Attribute holding a stable id.")] = None,
    lod: Annotated[str | None, typer.Option(help="CityJSON LoD to use (default: highest).")] = None,
    storey_height: Annotated[float, typer.Option(help="Metres per storey.")] = 3.0,
    default_storeys: Annotated[
        float, typer.Option(help="Storeys of a building with no height and an unknown type.")
    ] = 3.0,
    type_storeys: Annotated[
        list[str], typer.Option(help="TYPE=STOREYS default for a building type; repeatable.")
    ] = [],  # noqa: B006
    max_features: Annotated[int, typer.Option(help="Buildings per leaf tile at most.")] = 400,
    tile_format: Annotated[
        str, typer.Option("--format", help="3D Tiles version: 1.1 (glb) or 1.0 (b3dm).")
    ] = "1.1",
    quantize: Annotated[
        bool, typer.Option(help="KHR_mesh_quantization (uint16 positions).")
    ] = True,
    jobs: Annotated[
        int | None,
        typer.Option(help="Local processes for meshing (default: 2 on a multi-core machine)."),
    ] = None,
    implicit: Annotated[
        bool, typer.Option(help="3D Tiles 1.1 implicit tiling (QUADTREE subtrees).")
    ] = False,
    subtree_levels: Annotated[int, typer.Option(help="Levels per subtree with --implicit.")] = 4,
    meshopt: Annotated[
        bool,
        typer.Option(help="EXT_meshopt_compression of meshes (3D Tiles 1.1 only)."),
    ] = True,
    workers: Annotated[int, typer.Option(help="Local Dask worker processes (0: in-process).")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Address of a Dask scheduler.")] = None,
    ground: Annotated[
        bool,
        typer.Option(
            help="Also build the ground layer (streets, water, green, rail, names) into "
            "OUT/NAME/ground/ from the OSM PBF inputs and any --ground-input."
        ),
    ] = False,
    ground_input: Annotated[
        list[Path],
        typer.Option(
            help="Roads/water/land-use GIS file (OSM tag names as columns) for the ground "
            "layer; repeatable, implies --ground."
        ),
    ] = [],  # noqa: B006
    dem: Annotated[
        Path | None,
        typer.Option(
            help="DEM (any GDAL raster, any CRS, heights above sea level): buildings and the "
            "ground layer on the terrain, and a terrain for the viewer in OUT/NAME/terrain/."
        ),
    ] = None,
    dem_crs: Annotated[
        str | None,
        typer.Option(
            help="CRS of a DEM that declares none (an ESRI ASCII grid without .prj, XYZ), "
            "e.g. EPSG:27700; overrides the one it declares."
        ),
    ] = None,
    base: Annotated[
        str,
        typer.Option(help="A building's ground on the terrain: min or mean under its footprint."),
    ] = "min",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")] = False,
) -> None:
    """Build a tileset, a buildings table (buildings.fgb) and build-report.json."""
    from tqdm import tqdm

    from tiles.heights import HeightOptions
    from tiles.pipeline import BuildOptions, run

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    heights = HeightOptions(storey_height_m=storey_height, default_storeys=default_storeys)
    heights.type_storeys.update(_type_heights(type_storeys))
    options = BuildOptions(
        name=name,
        src_crs=crs,
        layer=layer,
        id_field=id_field,
        lod=lod,
        heights=heights,
        max_features=max_features,
        quantize=quantize,
        meshopt=meshopt,
        implicit=implicit,
        subtree_levels=subtree_levels,
        format=tile_format,
        jobs=jobs,
        workers=workers,
        scheduler=scheduler,
        ground=ground or bool(ground_input),
        ground_inputs=[str(p) for p in ground_input],
        dem=str(dem) if dem is not None else None,
        dem_crs=dem_crs,
        base=base,
    )
    bar = tqdm(total=0, unit="unit", desc="tiles", leave=False, disable=None)

    def progress(stage: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        result = run(inputs, out, options, progress=progress)
    except TilingError as exc:
        bar.close()
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    bar.close()
    r = result.report
    c = r["counts"]
    typer.echo(f"tileset   {result.tileset_path}")
    typer.echo(
        f"buildings {c['buildings']} ({c['drawn']} drawn, {c['parts']} parts), "
        f"skipped {c['skipped']}"
    )
    typer.echo(
        f"tiles     {c['tiles_with_content']} with content, depth {c['depth']}, "
        f"{c['content_bytes'] / 1e6:.1f} MB ({c['content_bytes_per_building']} B/building)"
    )
    typer.echo("heights   " + ", ".join(f"{k} {v}" for k, v in r["height_sources"].items()))
    if "ground" in r:
        g = r["ground"]
        typer.echo(
            f"ground    {g['features']} features in {g['tiles_with_content']} tiles, "
            f"{g['labels']} labels, {g['seconds']['total']:.2f} s"
        )
    if "terrain" in r:
        t = r["terrain"]
        typer.echo(
            f"terrain   {t['tiles']} tiles in {t['levels']} levels, {t['cell_m']:.1f} m cells, "
            f"{t['seconds']:.2f} s"
        )
        if t.get("no_data_nodes"):
            typer.echo(
                f"terrain   {t['no_data_nodes']} grid nodes on the DEM's no-data cells, "
                "heights filled from their neighbours"
            )
    for reason, count in r["skipped_reasons"].items():
        typer.echo(f"skipped   {count} x {reason}")
    typer.echo(f"time      {r['seconds']['total']:.2f} s")
