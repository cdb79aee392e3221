"""The `frontdoor` command line."""

from __future__ import annotations

import logging
import os
import sys

import click

from intake.config import load_settings
from intake.db import open_database

log = logging.getLogger(__name__)


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Log more detail.")
def main(verbose: bool) -> None:
    """frontdoor: the referral intake of a children's Multi-Agency Safeguarding Hub."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", default=lambda: int(os.environ.get("PORT", "8000")), type=int, show_default="8000"
)
@click.option("--workers", default=2, type=int, show_default=True, help="gunicorn worker processes")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app and API with gunicorn."""
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(M)sms',
        "intake.app:create_app()",
    ]
    run()


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--fork",
    is_flag=True,
    help="Run each job in a forked work horse: isolates a crashing job, at several times the cost.",
)
def worker(burst: bool, fork: bool) -> None:
    """Process contacts and send messages (run as many as needed, on any machines)."""
    from workers import queues
    from workers.context import WorkerContext, set_context
    from workers.runner import run_worker

    settings = load_settings()
    context = WorkerContext(settings, open_database(settings))
    set_context(context)
    run_worker(context, queues.connect(settings), burst=burst, fork=fork)


@main.command()
def smtpd() -> None:
    """Take referrals by email: an SMTP server on SMTPD_HOST:SMTPD_PORT for the intake addresses."""
    from channels.email.smtpd import serve
    from workers.context import WorkerContext, set_context

    settings = load_settings()
    context = WorkerContext(settings, open_database(settings))
    # Submitting a referral queues its acknowledgement, which reads the settings from here.
    set_context(context)
    serve(context)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from intake.migrate import upgrade

    upgrade(open_database(load_settings()), revision)
    click.echo("database is up to date")


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["officer", "manager", "admin"]),
    default="officer",
    show_default=True,
)
@click.option("--name", default="")
@click.option("--restricted-access", is_flag=True, help="May see restricted records and contacts.")
def users_create(email: str, role: str, name: str, restricted_access: bool) -> None:
    """Create a staff account; the password comes from FRONTDOOR_PASSWORD or stdin."""
    from intake.users import create_user

    password = os.environ.get("FRONTDOOR_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            user = create_user(
                session, email, role, password, name=name, can_see_restricted=restricted_access
            )
            click.echo(f"created {user.role} {user.email}")
    except ValueError as exc:
        raise click.ClickException(str(exc))


@main.group()
def keys() -> None:
    """Partner API keys."""


@keys.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["review", "email"]),
    help="Extra scopes: review for the hub's own systems (matches, history); email for the "
    "council's mail gateway only (POST /channels/email).",
)
def keys_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key for partner NAME and print it once."""
    from intake import partner_keys

    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            _row, key = partner_keys.create(session, name, (*partner_keys.DEFAULT_SCOPES, *scopes))
    except ValueError as exc:
        raise click.ClickException(str(exc))
    click.echo(key)
    click.echo(f"Store this key now: it is not shown again. Partner: {name}", err=True)


@keys.command("revoke")
@click.argument("name")
def keys_revoke(name: str) -> None:
    """Revoke partner NAME's key at once."""
    from intake import partner_keys

    with open_database(load_settings()).transaction() as session:
        if not partner_keys.revoke(session, name):
            raise click.ClickException(f"no active key named {name!r}")
    click.echo(f"revoked {name}")


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
@click.option(
    "--not-live",
    is_flag=True,
    help="Seed a configured database (DATABASE_URL) too: only one nobody relies on.",
)
def demo_seed(not_live: bool) -> None:
    """Demo staff logins (officer, manager, admin) whose passwords and sign-in codes are
    published in the README, for the embedded default. Safe to run twice."""
    from intake.demo import seed

    settings = load_settings()
    if settings.database_url and not not_live:
        # Published passwords and a known authenticator secret on a live hub's database would
        # be an open door to every referral.
        raise click.ClickException(
            "DATABASE_URL is set: demo logins have published passwords, so they are made only "
            "on the embedded default. Pass --not-live for a test or training database."
        )
    click.echo(seed(open_database(settings)))


@main.command()
@click.option("--port", default=8000, type=int)
def dev(port: int) -> None:
    """What `make run` runs: migrate, seed, then web, worker and SMTP intake together."""
    from intake.devserver import run_all

    sys.exit(run_all(port))


@main.group()
def records() -> None:
    """The person index that contacts are matched against."""


@records.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", required=True, help="The agency the extract came from, e.g. social_care.")
def records_import(path: str, source: str) -> None:
    """Load an agency's person-records CSV, idempotently by (source, record_id)."""
    from workers.matching.index import import_records
    from workers.matching.records_csv import RecordsFileError

    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            summary = import_records(session, path, source, progress=True)
    except RecordsFileError as exc:
        raise click.ClickException(str(exc))
    click.echo(
        f"{summary.rows} rows: {summary.inserted} loaded, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {len(summary.refused)} refused ({summary.seconds:.1f} s)"
    )
    for refused in summary.refused:
        click.echo(f"  line {refused.line}: {refused.reason}", err=True)


@main.command()
@click.option("--index", "index_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--query", "query_path", required=True, type=click.Path(exists=True, dir_okay=False))
def link(index_path: str, query_path: str) -> None:
    """Match every row of --query against --index; CSV query_id,record_id,score on stdout."""
    from workers.matching import Bands, link_files
    from workers.matching.records_csv import RecordsFileError

    settings = load_settings()
    try:
        summary = link_files(
            index_path,
            query_path,
            sys.stdout,
            Bands(match=settings.match_threshold, possible=settings.possible_threshold),
        )
    except RecordsFileError as exc:
        raise click.ClickException(str(exc))
    click.echo(
        f"{summary.queries} queries against {summary.index_records} records: "
        f"{summary.queries_with_candidates} with candidates, {summary.rows_written} rows written; "
        f"refused {len(summary.index_refused)} index and {len(summary.query_refused)} query lines",
        err=True,
    )
    # Each refused line with its reason, as `records import` lists them: a query left out is a
    # person not checked, and whoever runs the file needs to know which.
    for which, refused_rows in (("index", summary.index_refused), ("query", summary.query_refused)):
        for refused in refused_rows:
            click.echo(f"  {which} line {refused.line}: {refused.reason}", err=True)
    for which, line in summary.dates_not_understood:
        click.echo(
            f"  {which} line {line}: date of birth not a real date; matched on its digits",
            err=True,
        )


@main.group("nlp")
def nlp_group() -> None:
    """Categories of concern, risk indicators and details from free text."""


@nlp_group.command("extract")
def nlp_extract() -> None:
    """JSONL in on stdin ({"id", "text"}), JSONL out on stdout (design.md's contract)."""
    from nlp.cli import run_jsonl

    failed = run_jsonl(sys.stdin, sys.stdout)
    if failed:
        click.echo(f"{failed} lines could not be read; see their error fields", err=True)
        sys.exit(1)


@main.group()
def retention() -> None:
    """Reducing and deleting what the hub no longer needs."""


@retention.command("run")
def retention_run() -> None:
    """Reduce decided contacts and delete abandoned drafts past their retention period.

    Run it daily (cron or a systemd timer); each run is recorded in the audit log.
    """
    from workers.retention import apply_retention

    settings = load_settings()
    try:
        with open_database(settings).transaction() as session:
            result = apply_retention(
                session,
                retention_days=settings.retention_days,
                draft_retention_days=settings.draft_retention_days,
            )
    except ValueError as exc:
        raise click.ClickException(f"{exc} (FRONTDOOR_RETENTION_DAYS)") from None
    click.echo(f"reduced {result.reduced} contacts, deleted {result.drafts_deleted} drafts")


@main.group()
def encryption() -> None:
    """Encryption of free text at rest."""


@encryption.command("rotate")
def encryption_rotate() -> None:
    """Re-encrypt stored text and emailed attachments under the first key of
    FRONTDOOR_ENCRYPTION_KEYS."""
    from cryptography.fernet import InvalidToken

    from channels.email.attachments import rotate_files
    from intake import crypto

    settings = load_settings()
    if not settings.encryption_keys:
        raise click.ClickException(
            "FRONTDOOR_ENCRYPTION_KEYS is not set, so text is encrypted with the key derived "
            "from SECRET_KEY. To rotate, set FRONTDOOR_ENCRYPTION_KEYS to a new key (made with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'`) and run rotate again: what the derived key encrypted stays readable"
        )
    try:
        with open_database(settings).session() as session:
            count = crypto.rotate_all(session)
            files = rotate_files(session, settings)
    except InvalidToken:
        raise click.ClickException(
            "some stored text cannot be read with any key in FRONTDOOR_ENCRYPTION_KEYS: list "
            "the old key after the new one (newest first) and run rotate again (what was "
            "already re-encrypted stays readable with the new key)"
        ) from None
    click.echo(f"re-encrypted {count} values and {files.rewritten} attachments")
    for attachment_id, reason in files.problems:
        click.echo(f"attachment {attachment_id} could not be re-encrypted: {reason}", err=True)
    if files.problems:
        click.echo("keep the old keys until those files are restored or removed", err=True)
        raise SystemExit(1)
    click.echo("the old keys can now be removed")


if __name__ == "__main__":
    main()
