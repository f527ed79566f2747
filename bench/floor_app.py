"""The floor of bench/web.py: the least a Flask + SQLAlchemy + Jinja page listing the ranking
board's rows costs, written the way this project writes pages but with none of its product logic.

Typed models of just the columns shown (Flask-SQLAlchemy, over the same SQLite database), one
`db.session.execute(select(...))` for the program and one for its rows (the applications that are
neither drafts nor withdrawn, with their organization and decision, eagerly loaded), a template that
extends a layout, a link per row made by `url_for`, money formatted by a filter. No login, no
policy, no scores, no facts. `/bare` is the same list from one text query into an inline template
(a lower floor, printed for reference). Served by gunicorn with the app's two sync workers:
`gunicorn --chdir bench floor_app:app` with FLOOR_DATABASE_URL.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Program(db.Model):
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str]
    title: Mapped[str]


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Decision(db.Model):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    outcome: Mapped[str]
    amount_cents: Mapped[Optional[int]]


class Application(db.Model):
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    title: Mapped[Optional[str]]
    status: Mapped[str]
    amount_requested_cents: Mapped[Optional[int]]
    organization: Mapped[Organization] = relationship()
    decision: Mapped[Optional[Decision]] = relationship(uselist=False)


app = Flask(__name__, template_folder=str(Path(__file__).parent / "floor_templates"))
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["FLOOR_DATABASE_URL"]
db.init_app(app)
BARE_ROWS = text("""
    SELECT a.id, a.title, o.name AS applicant, a.status, a.amount_requested_cents, d.outcome, d.amount_cents
    FROM applications a JOIN programs p ON p.id = a.program_id JOIN organizations o ON o.id = a.organization_id
    LEFT JOIN decisions d ON d.application_id = a.id
    WHERE p.slug = :slug AND a.status NOT IN ('draft', 'withdrawn') ORDER BY a.id
""")
BARE_PAGE = app.jinja_env.from_string(
    "<!doctype html><title>Ranking board</title><table><caption>{{ rows|length }} applications</caption>"
    "{% for r in rows %}<tr><td>{{ loop.index }}</td><th><a href=\"/applications/{{ r.id }}/decision\">#{{ r.id }} "
    "{{ r.title }}</a><br>{{ r.applicant }}</th><td>{{ r.status }}</td><td>{{ r.amount_requested_cents }}</td>"
    "<td>{{ r.outcome or 'undecided' }}</td><td>{{ r.amount_cents or '' }}</td></tr>{% endfor %}</table>")


@app.template_filter("money")
def money(cents: int | None) -> str:
    return "" if cents is None else f"${cents / 100:,.2f}"


@app.route("/programs/<slug>/board")
def board(slug: str):
    program = db.session.execute(select(Program).where(Program.slug == slug)).scalar_one()
    rows = db.session.execute(
        select(Application).where(Application.program_id == program.id,
                                  Application.status.not_in(["draft", "withdrawn"]))
        .options(joinedload(Application.organization), joinedload(Application.decision)).order_by(Application.id)
    ).scalars().all()
    return render_template("board.html", program=program, rows=rows)


@app.route("/programs/<slug>/bare")
def bare(slug: str):
    with db.engine.connect() as conn:
        return BARE_PAGE.render(rows=conn.execute(BARE_ROWS, {"slug": slug}).all())


@app.route("/healthz")
def healthz():
    """What bench/web.py waits on after a run (as on the app's /healthz)."""
    return "ok"


@app.route("/applications/<int:app_id>/decision")
def decide(app_id: int):
    return ""
