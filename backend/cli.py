"""The ``civictwin`` command: ``serve``, ``db upgrade``, ``db info`` and the ``tiles`` commands.

User-facing output goes to the terminal here (and only here); configuration problems end the
command with one sentence and exit status 2, never a bare traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from backend.db import migrate
from backend.db.engine import create_db_engine
from backend.errors import ConfigurationError
from backend.logging_setup import configure_logging
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
    roles: Annotated[list[str], typer.Argument(help="citizen sme planner moderator admin")],
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
        proxy_headers=True,
    )


def _mount_tiles() -> None:
    try:
        from tiles.cli import app as tiles_app
    except ImportError:  # the tiles CLI is optional while it is being built
        return
    app.add_typer(tiles_app, name="tiles", help="Build 3D Tiles from city data.")


_mount_tiles()


alerts_app = typer.Typer(help="Saved-search alerts for SMEs.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("send")
@friendly_errors
def alerts_send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Queue digests and print them; send nothing")
    ] = False,
) -> None:
    """Queue digests of new matches for due saved searches, then send the outbox over SMTP.

    Without CIVICTWIN_SMTP_URL the digests stay in the outbox table and are printed here.
    """
    from backend.db.engine import Database
    from backend.services import alerts, mail

    settings = load_settings()
    db = Database.connect(settings.database_url)
    try:
        migrate.require_up_to_date(db.engine)
        with db.sessions() as session:
            report = alerts.run(session, settings.public_base_url)
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


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
