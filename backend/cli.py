"""The ``civictwin`` command: ``serve``, ``db upgrade``, ``db info`` and the ``tiles`` commands.

User-facing output goes to the terminal here (and only here); configuration problems end the
command with one sentence and exit status 2, never a bare traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

# The backend (SQLAlchemy, Alembic, pydantic settings) and the tiles pipeline (numpy, pandas,
# GDAL) are imported by the commands that use them, not here: `civictwin --help` and the
# commands' own help stay fast (docs/benchmarks.md)
if TYPE_CHECKING:
    from backend.settings import Settings

app = typer.Typer(
    help="CivicTwin: an open 3D digital twin for urban-planning participation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: upgrade and inspect.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Accounts and roles.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("docs")
def config_docs() -> None:
    """Print the configuration reference (Markdown) generated from the settings."""
    from backend.config_docs import render

    typer.echo(render(), nl=False)


app.add_typer(users_app, name="users")

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    from pydantic import ValidationError

    from backend.logging_setup import configure_logging
    from backend.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        where = f"CIVICTWIN_{field.upper()}: " if field else ""
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise fail(f"invalid configuration: {where}{msg}") from None
    configure_logging(settings.log_format, settings.log_level)
    return settings


def friendly_errors(func: F) -> F:
    """Print a :class:`ConfigurationError` as one sentence and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from backend.errors import ConfigurationError

        try:
            return func(*args, **kwargs)
        except ConfigurationError as exc:
            raise fail(exc.detail) from None

    return wrapper  # type: ignore[return-value]


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Create or migrate the schema of CIVICTWIN_DATABASE_URL (SpatiaLite or PostGIS)."""
    from backend.db import migrate
    from backend.db.engine import create_db_engine

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, revision)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"database already at {after}")
    else:
        typer.echo(f"database migrated from {before or 'empty'} to {after}")


@db_app.command("info")
@friendly_errors
def db_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show the database engine, versions and schema revision."""
    from backend.db import migrate
    from backend.db.engine import create_db_engine

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        st = migrate.status(engine)
    finally:
        engine.dispose()
    info = {
        "url": engine.url.render_as_string(hide_password=True),
        "engine": st.engine,
        "server_version": st.server_version,
        "spatial_version": st.spatial_version,
        "revision": st.revision,
        "head": st.head,
        "up_to_date": st.up_to_date,
    }
    if as_json:
        typer.echo(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            typer.echo(f"{key:16} {value}")


def _session() -> Any:
    from backend.db import migrate
    from backend.db.engine import Database

    settings = load_settings()
    db = Database.connect(settings.database_url)
    migrate.require_up_to_date(db.engine)
    return db


@users_app.command("create-admin")
@friendly_errors
def users_create_admin(
    email: Annotated[str, typer.Option(help="E-mail address of the admin")],
    display_name: Annotated[str, typer.Option(help="Name shown to others")] = "Administrator",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="CIVICTWIN_ADMIN_PASSWORD",
            help="Prompted for unless given",
        ),
    ] = "",
) -> None:
    """Create an admin account (or make an existing account an admin)."""
    from backend.errors import CivicTwinError
    from backend.services import accounts

    db = _session()
    try:
        with db.sessions() as session:
            user = accounts.create_admin(session, email, password, display_name)
            typer.echo(f"admin {user.email} (id {user.id}) has roles {sorted(user.role_names)}")
    except CivicTwinError as exc:
        raise fail(exc.detail) from None
    finally:
        db.dispose()


@users_app.command("set-roles")
@friendly_errors
def users_set_roles(
    email: Annotated[str, typer.Argument(help="E-mail address of the account")],
    roles: Annotated[
        list[str], typer.Argument(help="citizen sme planner moderator admin funder contractor")
    ],
) -> None:
    """Replace the roles of an account."""
    from backend.db.models import UserRole
    from backend.repositories import audit
    from backend.repositories import users as repo
    from backend.services.auth import check_role

    db = _session()
    try:
        with db.sessions() as session:
            user = repo.by_email(session, email)
            if user is None:
                raise fail(f"no account with e-mail {email!r}")
            try:
                wanted = {check_role(r) for r in roles}
            except Exception as exc:
                raise fail(str(exc)) from None
            before = sorted(user.role_names)
            user.roles = [r for r in user.roles if r.role in wanted]
            user.roles.extend(UserRole(role=r) for r in sorted(wanted - user.role_names))
            audit.record(
                session,
                actor_id=None,
                action="roles.set",
                entity_type="user",
                entity_id=user.id,
                details={"before": before, "after": sorted(wanted), "via": "cli"},
            )
            session.commit()
            typer.echo(f"{email}: {before} -> {sorted(wanted)}")
    finally:
        db.dispose()


@users_app.command("list")
@friendly_errors
def users_list(role: Annotated[str | None, typer.Option(help="Only this role")] = None) -> None:
    """List accounts with their roles."""
    from backend.repositories import users as repo

    db = _session()
    try:
        with db.sessions() as session:
            users, total = repo.list_users(session, role=role, limit=10_000, offset=0)
            for u in users:
                typer.echo(f"{u.id:6}  {u.email or '-':40}  {','.join(sorted(u.role_names))}")
            typer.echo(f"{total} account(s)")
    finally:
        db.dispose()


@app.command()
@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Run the API (and the built frontend) with uvicorn."""
    import uvicorn

    from backend.db import migrate
    from backend.db.engine import create_db_engine

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        migrate.require_up_to_date(engine)
    finally:
        engine.dispose()
    if workers > 1 and settings.redis_url is None:
        typer.secho(
            "warning: several workers without CIVICTWIN_REDIS_URL: live events stay inside "
            "each worker",
            fg=typer.colors.YELLOW,
            err=True,
        )
    typer.echo(f"CivicTwin on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    uvicorn.run(
        "backend.main:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=None,
        # the app logs every request itself (backend.access: request id, status, duration,
        # client); uvicorn's own access line would be a second record per request
        access_log=False,
        proxy_headers=True,
    )


@app.command()
@friendly_errors
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server when ready")
    ] = True,
) -> None:
    """Prepare the demo (schema, City of London tiles, buildings, content) and serve it."""
    from backend.db import migrate
    from backend.db.engine import Database
    from backend.demo import DemoError, seed
    from backend.services.demo_content import ACCOUNTS, DEMO_PASSWORD

    settings = load_settings()
    db = Database.connect(settings.database_url)
    try:
        before = migrate.current_revision(db.engine)
        migrate.upgrade(db.engine)
        if before != migrate.current_revision(db.engine):
            typer.echo(f"database ready ({db.kind}, schema {migrate.head_revision()})")
        try:
            report = seed(settings, db)
        except DemoError as exc:
            raise fail(f"demo content: {exc}") from None
    finally:
        db.dispose()
    if report.built_tileset:
        typer.echo(f"built the City of London tileset in {settings.tiles_dir / 'london'}")
    if report.loaded_buildings:
        typer.echo(f"loaded {report.loaded_buildings} buildings into the database")
    if report.seeded:
        typer.echo(
            "seeded demo content: " + ", ".join(f"{v} {k}" for k, v in report.counts.items())
        )
    else:
        typer.echo("demo content already present (nothing duplicated)")
    typer.echo("")
    typer.echo(f"  CivicTwin demo:  http://{host}:{port}/")
    typer.echo(f"  API docs:        http://{host}:{port}/api/docs")
    typer.echo(f"  Demo accounts (password for all: {DEMO_PASSWORD}):")
    for acc in ACCOUNTS:
        roles = ", ".join(r for r in acc["roles"] if r != "citizen") or "citizen"
        typer.echo(f"    {acc['email']:34} {roles}")
    typer.echo("  All proposals, comments and opportunities are fictional examples on real sites.")
    typer.echo("")
    if serve_after:
        serve(host=host, port=port, workers=1, reload=False)


def _mount_tiles() -> None:
    try:
        from tiles.cli import app as tiles_app
    except ImportError:  # the tiles CLI is optional while it is being built
        return
    app.add_typer(tiles_app, name="tiles", help="Build 3D Tiles from city data.")


_mount_tiles()


def _mount_tiles_database() -> None:
    """Add ``tiles load DIR`` and make ``tiles build`` load the buildings (``--load/--no-load``).

    The ``tiles`` package stays free of the database: its Typer app is not changed; a copy of
    its commands is mounted instead, with ``build`` wrapped to load the built folder afterwards.
    """
    import inspect
    import time
    from pathlib import Path

    group = next((g for g in app.registered_groups if g.name == "tiles"), None)
    if group is None or group.typer_instance is None:
        return
    source = group.typer_instance
    tiles_db = typer.Typer(help=source.info.help, no_args_is_help=True)
    tiles_db.registered_callback = source.registered_callback

    def check_database() -> None:
        """Before building: the database the build will load into is reachable and migrated."""
        # the pipeline's native libraries (GDAL and the ones its wheel bundles) are loaded
        # before SpatiaLite's, as when the database was only opened after the build: the other
        # order ends the process with a double free at exit
        import tiles.pipeline  # noqa: F401
        from backend.errors import ConfigurationError

        try:
            _session().dispose()
        except ConfigurationError as exc:
            raise fail(
                f"{exc.detail.rstrip('.')}; nothing was built (or build with --no-load)"
            ) from None

    def load_folder(folder: Path, **options: Any) -> None:
        from backend.errors import CivicTwinError, ConfigurationError
        from backend.services.buildings import load_tileset_folder

        try:
            db = _session()
        except ConfigurationError as exc:
            raise fail(exc.detail) from None
        try:
            with db.sessions() as session:
                t0 = time.perf_counter()
                tileset = load_tileset_folder(session, folder, **options)
                typer.echo(
                    f"database  {tileset.building_count} buildings of tileset {tileset.name!r} "
                    f"loaded in {time.perf_counter() - t0:.2f} s"
                )
        except CivicTwinError as exc:
            raise fail(exc.detail) from None
        finally:
            db.dispose()

    for command in source.registered_commands:
        if command.name != "build" and getattr(command.callback, "__name__", "") != "build":
            tiles_db.registered_commands.append(command)
            continue
        build = command.callback
        assert build is not None
        signature = inspect.signature(build, eval_str=True)
        load_param = inspect.Parameter(
            "load",
            inspect.Parameter.KEYWORD_ONLY,
            default=True,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--load/--no-load",
                    help="Load the buildings into CIVICTWIN_DATABASE_URL after building.",
                ),
            ],
        )

        def build_and_load(*args: Any, _build: Any = build, **kwargs: Any) -> None:
            load = kwargs.pop("load", True)
            if load:
                check_database()
            started = time.time()
            _build(*args, **kwargs)
            if not load:
                return
            out = Path(kwargs["out"])
            if kwargs.get("name"):
                folder = out / kwargs["name"]
            else:  # the default name comes from the input: take the folder this build wrote
                built = [
                    p.parent
                    for p in out.glob("*/build-report.json")
                    if p.stat().st_mtime >= started - 1
                ]
                if not built:
                    raise fail(f"no freshly built tileset found in {out}")
                folder = max(built, key=lambda d: (d / "build-report.json").stat().st_mtime)
            load_folder(folder)

        params = [*signature.parameters.values(), load_param]
        build_and_load.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        build_and_load.__annotations__ = {p.name: p.annotation for p in params}
        build_and_load.__doc__ = (build.__doc__ or "") + " Loads the buildings into the database."
        build_and_load.__name__ = "build"
        tiles_db.command("build", help=build_and_load.__doc__)(build_and_load)

    @tiles_db.command("load")
    @friendly_errors
    def tiles_load(
        # str, not Path: annotations are evaluated in the module, where Path is not imported
        folder: Annotated[str, typer.Argument(help="A built tileset folder (with buildings.fgb)")],
        name: Annotated[
            str | None, typer.Option(help="Tileset name (default: the build's).")
        ] = None,
        title: Annotated[str | None, typer.Option(help="Title shown in the viewer")] = None,
        attribution: Annotated[
            str | None, typer.Option(help="Attribution (default: OpenStreetMap, ODbL 1.0)")
        ] = None,
        licence: Annotated[str | None, typer.Option(help="Licence id (default ODbL-1.0)")] = None,
    ) -> None:
        """Load a built tileset's buildings into the database (replacing that tileset's rows)."""
        load_folder(Path(folder), name=name, title=title, attribution=attribution, licence=licence)

    group.typer_instance = tiles_db


_mount_tiles_database()


alerts_app = typer.Typer(
    help="Saved-search alerts: new work packages and new funding schemes.", no_args_is_help=True
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("send")
@friendly_errors
def alerts_send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Queue digests and print them; send nothing")
    ] = False,
) -> None:
    """Queue digests of new matches for due saved searches (of opportunities and of funding
    schemes), then send the outbox over SMTP.

    Without CIVICTWIN_SMTP_URL the digests stay in the outbox table and are printed here.
    """
    from backend.api.links import Links
    from backend.db import migrate
    from backend.db.engine import Database
    from backend.main import create_app
    from backend.services import alerts, mail

    settings = load_settings()
    db = Database.connect(settings.database_url)
    try:
        migrate.require_up_to_date(db.engine)
        with db.sessions() as session:
            links = Links.for_app(create_app(settings), settings.public_base_url)
            report = alerts.run(session, links, settings.secret_key.get_secret_value())
            typer.echo(
                f"{report.searches_due} saved searches due, {len(report.messages)} digests queued"
            )
            if dry_run or not settings.smtp_url:
                for message in report.messages:
                    typer.echo(f"\nTo: {message.to_address}\nSubject: {message.subject}\n")
                    typer.echo(message.body)
                if not settings.smtp_url:
                    typer.echo("CIVICTWIN_SMTP_URL is not set: messages stay in the outbox")
                return
            sent = mail.send_outbox(session, settings.smtp_url, settings.smtp_from)
            typer.echo(f"{sent} messages sent")
    except OSError as exc:
        raise fail(f"cannot reach the SMTP server in CIVICTWIN_SMTP_URL ({exc})") from None
    finally:
        db.dispose()


engagement_app = typer.Typer(
    help="The participation loop: notifications, digests, consultation reports.",
    no_args_is_help=True,
)
app.add_typer(engagement_app, name="engagement")


@engagement_app.command("run")
@friendly_errors
def engagement_run(
    send: Annotated[
        bool, typer.Option("--send/--no-send", help="Send the outbox over SMTP afterwards")
    ] = True,
) -> None:
    """The scheduler step: fan out notifications, 'closing in 3 days' notices, reports of
    closed consultations, due digests; then send the outbox (run it every minute or so)."""
    from backend.api.links import Links
    from backend.db import migrate
    from backend.db.engine import Database
    from backend.main import create_app
    from backend.services import engagement, mail

    settings = load_settings()
    db = Database.connect(settings.database_url)
    try:
        migrate.require_up_to_date(db.engine)
        with db.sessions() as session:
            links = Links.for_app(create_app(settings), settings.public_base_url)
            step = engagement.run(
                session, links, settings.secret_key.get_secret_value(), settings.uploads_dir
            )
            typer.echo(
                f"{step.events} events: {step.notifications} notifications, {step.queued} "
                f"e-mailed at once; {step.closing_notices} closing notices; "
                f"{len(step.reports)} reports; {step.digests} digests"
            )
            if send and settings.smtp_url:
                sent = mail.send_outbox(session, settings.smtp_url, settings.smtp_from)
                typer.echo(f"{sent} messages sent")
            elif send:
                typer.echo("CIVICTWIN_SMTP_URL is not set: messages stay in the outbox")
    except OSError as exc:
        raise fail(
            f"cannot reach the SMTP server in CIVICTWIN_SMTP_URL ({exc}); "
            "the messages stay in the outbox"
        ) from None
    finally:
        db.dispose()


@engagement_app.command("outbox")
@friendly_errors
def engagement_outbox(
    limit: Annotated[int, typer.Option(help="How many to list")] = 50,
) -> None:
    """List outbox messages that failed or wait to be sent (attempts, last error, next try)."""
    from backend.db.engine import Database
    from backend.repositories import alerts as outbox

    settings = load_settings()
    db = Database.connect(settings.database_url)
    try:
        with db.sessions() as session:
            pending = outbox.unsent(session)
            typer.echo(f"{len(pending)} unsent")
            for m in pending[:limit]:
                typer.echo(
                    f"{m.id}\t{m.to_address}\tattempts {m.attempts}\tnext {m.next_attempt_at}"
                    f"\t{m.last_error or ''}\t{m.subject}"
                )
    finally:
        db.dispose()


analysis_app = typer.Typer(
    help="Impact analysis: daylight, sunlight and views around a proposal.", no_args_is_help=True
)
app.add_typer(analysis_app, name="analysis")


@analysis_app.command("run")
@friendly_errors
def analysis_run(
    proposal: Annotated[str, typer.Argument(help="Proposal id or reference")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the full results as JSON here")
    ] = None,
    sunshine: Annotated[
        str, typer.Option(help="Sunshine normals: London, Birmingham, Genoa, Gävle, Tartu, …")
    ] = "London",
) -> None:
    """Run the impact study (VSC, APSH, sun on the ground, visibility) of a proposal's massing
    in its city tileset and print the summary (BRE 209 tests; see docs/impact.md)."""
    from backend.errors import CivicTwinError
    from backend.services.impact import run_analysis

    settings = load_settings()
    db = _session()
    try:
        with db.sessions() as session:
            summary = run_analysis(session, settings, proposal, output, sunshine)
    except CivicTwinError as exc:
        raise fail(exc.detail) from None
    finally:
        db.dispose()
    for line in summary:
        typer.echo(line)


city_app = typer.Typer(
    help="The city twin: apply an approved scheme to its city tileset, or undo it.",
    no_args_is_help=True,
)
app.add_typer(city_app, name="city")


@city_app.command("apply")
@friendly_errors
def city_apply(
    proposal: Annotated[str, typer.Argument(help="Proposal id or reference (approved)")],
) -> None:
    """Put an approved proposal's massing into its city tileset now (the buildings it replaces
    leave); prints the change id, the tiles rewritten and the buildings out and in."""
    from backend.errors import CivicTwinError
    from backend.services import city_changes

    settings = load_settings()
    db = _session()
    try:
        with db.sessions() as session:
            found = city_changes.find_proposal(session, proposal)
            change_id = city_changes.queue(session, None, found).id
        city_changes.run(db.sessions, settings.tiles_dir, change_id)
        with db.sessions() as session:
            change = city_changes.get(session, change_id)
    except CivicTwinError as exc:
        raise fail(exc.detail) from None
    finally:
        db.dispose()
    if change.state != "applied":
        raise fail(f"city change {change.id} failed: {change.error}", code=1)
    typer.echo(
        f"city change {change.id} applied to {change.tileset} in {change.seconds:.2f} s: "
        f"{len(change.tiles)} tiles rewritten, {len(change.replaced)} buildings out, "
        f"{len(change.added)} in"
    )


@city_app.command("revert")
@friendly_errors
def city_revert(
    change: Annotated[int, typer.Argument(help="City change id (the latest of its tileset)")],
) -> None:
    """Undo a city change: the tileset's previous state is swapped back."""
    from backend.errors import CivicTwinError
    from backend.services import city_changes

    settings = load_settings()
    db = _session()
    try:
        with db.sessions() as session:
            done = city_changes.revert(session, None, change, settings.tiles_dir)
    except CivicTwinError as exc:
        raise fail(exc.detail) from None
    finally:
        db.dispose()
    typer.echo(f"city change {done.id} reverted: {done.tileset} is back as it was")


# work packages from OCDS (issue 15); the module imports its heavy parts inside the command
from backend.cli_opportunities import opportunities_app  # noqa: E402

app.add_typer(opportunities_app, name="opportunities")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
