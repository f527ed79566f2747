"""`grantflow tokens create EMAIL --scope read|write [--expires DAYS]`: a token for a script."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from grantflow.accounts.models import User
from grantflow.api import tokens
from grantflow.api.models import SCOPES
from grantflow.core.db import db


@click.group("tokens")
def tokens_group() -> None:
    """Personal API tokens."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice(SCOPES), required=True)
@click.option("--expires", "days", type=click.IntRange(1), default=None,
              help="Days until it expires (default: API_TOKEN_DAYS).")
@click.option("--name", default="Command line", show_default=True, help="What will use it.")
@with_appcontext
def create_command(email: str, scope: str, days: int | None, name: str) -> None:
    """Make a token for EMAIL's account; the token is printed on the last line, and only once."""
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None or not user.active:
        raise click.UsageError(f"No active account has the email {email}.")
    try:
        row, token = tokens.create(user, name=name, scope=scope, days=days)
    except tokens.TokenError as exc:
        raise click.UsageError(str(exc)) from None
    db.session.commit()
    click.echo(f"A {scope} token for {user.email}, expiring {row.expires_at:%Y-%m-%d %H:%M} UTC. "
               "Keep it secret: it is not shown again.")
    click.echo(token)


COMMANDS = (tokens_group,)
