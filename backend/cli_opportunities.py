"""``civictwin opportunities``: import work packages from an OCDS release package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

opportunities_app = typer.Typer(help="Work packages: import from OCDS.", no_args_is_help=True)


def fetch(source: str, max_bytes: int) -> bytes:
    """The bytes of a file or an http(s) URL, at most ``max_bytes`` (read in chunks, so a
    large answer is refused before it is held in memory)."""
    from backend.errors import InvalidInputError

    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        import httpx

        chunks: list[bytes] = []
        size = 0
        try:
            with httpx.stream("GET", source, timeout=30.0, follow_redirects=False) as response:
                if response.status_code != 200:
                    raise InvalidInputError(f"source: {source} answered {response.status_code}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise InvalidInputError(f"source: larger than {max_bytes} bytes")
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidInputError(f"source: larger than {max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise InvalidInputError(f"source: {source} could not be read ({exc})") from None
        return b"".join(chunks)
    if "://" in source:
        raise InvalidInputError(f"source: only a file or an http(s) URL, got {scheme}://")
    path = Path(source)
    if not path.is_file():
        raise InvalidInputError(f"source: {source} is not a file")
    if path.stat().st_size > max_bytes:
        raise InvalidInputError(f"source: {source} is larger than {max_bytes} bytes")
    return path.read_bytes()


@opportunities_app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="OCDS release package: a file or an http(s) URL")],
    proposal: Annotated[
        int | None,
        typer.Option(help="Link every release to this proposal (else: by location)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Create or update work packages from an OCDS release package, idempotently by ocid.

    Bad releases are listed with the JSON path of the field and not stored; the good ones are
    stored in one transaction. Exit status 1 if any release was refused."""
    from backend import cli
    from backend.errors import CivicTwinError
    from backend.services import ocds_import

    settings = cli.load_settings()
    db = cli._session()
    try:
        raw = fetch(source, int(settings.import_max_mb * 1024 * 1024))
        with db.sessions() as session:
            report = ocds_import.import_package(
                session, ocds_import.parse(raw), proposal_id=proposal
            )
    except CivicTwinError as exc:
        raise cli.fail(exc.detail) from None
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(
            f"{report.releases} release(s): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.errors)} refused"
        )
        for error in report.errors:
            typer.secho(f"  {error}", fg=typer.colors.YELLOW, err=True)
    if report.errors:
        raise typer.Exit(1)
