"""The letters area's CLI: issuing all letters of a program into a folder and a ZIP."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from grantflow.core import files, translations
from grantflow.core.db import db
from grantflow.letters import freshness, jobs, services
from grantflow.letters.models import LetterBatch
from grantflow.programs.models import Program
from grantflow.programs.slugs import PROGRAM


@click.command("letters")
@click.argument("program", metavar="PROGRAM_SLUG", type=PROGRAM)
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for one PDF per decision and the ZIP.")
@click.option("--declines/--no-declines", default=False, help="Also issue decline and waitlist letters.")
@click.option("--reissue", is_flag=True, help="Re-issue letters already issued (earlier ones kept, superseded).")
@click.option("--outdated", is_flag=True, help="Re-issue exactly the letters that are out of date (earlier ones kept, "
                                              "superseded).")
@click.option("--queue", "use_queue", is_flag=True,
              help="Hand the batch to the task queue (a running `grantflow worker`) and follow its progress.")
@with_appcontext
def letters_command(program: Program, output: Path, declines: bool, reissue: bool, outdated: bool,
                    use_queue: bool) -> None:
    """Issue all letters of PROGRAM_SLUG: one PDF per decision, and a ZIP of them. Says how many
    issued letters are out of date; --outdated re-issues exactly those."""
    stale = len(freshness.outdated_ids(program))
    if stale and not (outdated or reissue):
        click.echo(f"{freshness.outdated_phrase(stale)} Re-issue exactly those with --outdated.")
    try:
        batch = jobs.create_batch(program, include_declines=declines, reissue=reissue, outdated=outdated)
    except services.LetterError as exc:
        raise click.ClickException(str(exc)) from None
    total = len(batch.decision_ids)
    if use_queue:
        jobs.enqueue_batch(batch)
    with click.progressbar(length=total, label=f"Letters for {program.slug}", show_pos=True) as bar:
        shown = 0
        if use_queue:
            while True:
                db.session.expire_all()
                state = jobs.progress(db.session.get(LetterBatch, batch.id))
                bar.update(state["done"] - shown)
                shown = state["done"]
                if state["finished"]:
                    break
                time.sleep(0.5)
        else:
            done = jobs.done_ids(batch)
            bar.update(len(done))
            with translations.cached():  # one letter at a time for the bar, the translations read once
                for decision_id in [d for d in batch.decision_ids if d not in done]:
                    jobs.issue_chunk(batch.id, [decision_id])
                    bar.update(1)
            jobs.maybe_finish(batch.id)
    batch = db.session.get(LetterBatch, batch.id)
    db.session.refresh(batch)
    output.mkdir(parents=True, exist_ok=True)
    for letter, name in jobs.batch_letters(batch):
        (output / name).write_bytes(files.read(services.letter_key(letter)))
    if batch.zip_stored_name:
        zip_target = output / f"letters-{program.slug}.zip"
        zip_target.write_bytes(files.read(services.LETTERS + batch.zip_stored_name))
        click.echo(f"{total} letter(s) in {output} and {zip_target.name}")
    if batch.error:
        click.echo(f"Some letters failed: {batch.error}", err=True)
        raise SystemExit(1)


COMMANDS = (letters_command,)
