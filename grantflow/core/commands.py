"""The core's CLI: the task queue's worker (areas add their jobs and start-up hooks in their tasks.py)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from grantflow import tasks


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


COMMANDS = (worker,)
