"""The core's CLI: the web server, the task queue's worker (areas add their jobs and start-up hooks
in their tasks.py), and backups."""
from __future__ import annotations

import contextvars
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from grantflow import tasks
from grantflow.core import backup as backups


@click.command("serve")
@with_appcontext
def serve() -> None:
    """Serve the app with gunicorn (WEB_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT, LOG_FORMAT)."""
    from grantflow.core.serve import serve as run

    # Not inside the command's app context: Flask reuses one already pushed, so every request
    # would share its `g` and its database session. In an empty context each pushes its own.
    contextvars.Context().run(run, current_app._get_current_object())


@click.command("worker")
@click.option("-w", "--workers", default=1, show_default=True, help="Worker processes.")
@click.option("--worker-type", type=click.Choice(["process", "thread"]), default="process",
              show_default=True, help="Processes render PDFs in parallel; threads do not.")
@with_appcontext
def worker(workers: int, worker_type: str) -> None:
    """Run the task queue's consumer (letters and other background jobs)."""
    for line in tasks.consumer_start_hooks():
        click.echo(line)
    tasks.run_consumer(current_app._get_current_object(), workers=workers, worker_type=worker_type)


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(folder: Path) -> None:
    """Back up the database and every stored file into FOLDER (new or empty), with a manifest."""
    try:
        manifest = backups.backup(folder)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["database"]["tables"].values())
    click.echo(f"Backed up {len(manifest['database']['tables'])} tables ({rows} rows) and "
               f"{len(manifest['files'])} files into {folder}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore(folder: Path) -> None:
    """Restore the backup in FOLDER into an empty database and file storage."""
    try:
        tables = backups.restore(current_app._get_current_object(), folder)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {len(tables)} tables ({sum(tables.values())} rows, each table's count as in "
               f"the manifest) and {len(backups.read_manifest(folder)['files'])} files")


COMMANDS = (serve, worker, backup, restore)
