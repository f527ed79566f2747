"""`grantflow demo` and `grantflow demo-exists`: the demo data, loaded once."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, select

from grantflow.core.db import db
from grantflow.demo.build import DemoExists, build_demo
from grantflow.organizations.models import Organization


@click.command("demo")
@click.option("--reset", is_flag=True, help="Drop every table first, then create the demo again.")
@click.option("--if-empty", is_flag=True,
              help="Only migrate when the database already holds data (what `make run` does).")
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--applications", "n_applications", default=None, type=click.IntRange(min=0),
              help="Applications in the past, fully decided cycle (the benchmarks' program); "
                   "default 60, beside the open cycle's 38. Try 50000.")
@with_appcontext
def demo_command(reset: bool, if_empty: bool, seed: int, n_applications: int | None) -> None:
    """Create the database with realistic demo data and print the demo logins."""
    try:
        logins = build_demo(reset=reset, seed=seed, n_applications=n_applications, echo=click.echo)
    except DemoExists as exc:
        if if_empty:
            click.echo("The database already holds data (migrated to the latest schema); the demo is not loaded again.")
            return
        raise click.ClickException(str(exc)) from None
    click.echo("\nDemo logins (password for all: %s)" % logins["password"])
    for role, email in logins["users"]:
        click.echo(f"  {str(role):<20} {email}")  # a role label is translatable (a lazy string)


@click.command("demo-exists")
@with_appcontext
def demo_exists_command() -> None:
    """Exit 0 when the database already holds data (scripts use it to load the demo only once)."""
    if not inspect(db.engine).has_table("organizations") or \
            db.session.execute(select(Organization.id).limit(1)).first() is None:
        raise SystemExit(1)


COMMANDS = (demo_command, demo_exists_command)
