"""Home, the public list of open opportunities, and the dashboard of each role."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.policy import scope_applications
from grantflow.programs.models import PUBLISHED, Program

bp = Blueprint("core", __name__, cli_group=None)


def open_programs():
    now = utcnow()
    return db.session.execute(
        select(Program).options(selectinload(Program.funder))
        .where(Program.status == PUBLISHED, (Program.closes_at.is_(None)) | (Program.closes_at > now))
        .order_by(Program.closes_at)
    ).scalars().all()


@bp.route("/")
def home():
    return render_template("core/home.html", programs=open_programs()[:6])


@bp.route("/opportunities")
def opportunities():
    return render_template("core/opportunities.html", programs=open_programs())


@bp.route("/dashboard")
@login_required
def dashboard():
    from grantflow.applications.models import Application
    from grantflow.reviews.models import ASSIGNED, ReviewAssignment

    user = current_user
    sections = {}
    if user.has_role(R.APPLICANT):
        from grantflow.organizations.models import INVITED
        from grantflow.organizations.services import invitations_to

        sections["applicant"] = {
            "organizations": user.organizations_with(R.APPLICANT),
            "invitations": invitations_to([o.id for o in user.organizations_with(R.APPLICANT)], statuses=(INVITED,)),
            "applications": db.session.execute(
                scope_applications(user).where(
                    Application.organization_id.in_([o.id for o in user.organizations_with(R.APPLICANT)]))
                .options(selectinload(Application.program)).order_by(Application.updated_at.desc())
            ).scalars().all(),
        }
    if user.has_role(*R.FUNDER_STAFF):
        funders = {o.id: o for o in user.organizations_with(*R.FUNDER_STAFF)}
        sections["funder"] = {
            "funders": list(funders.values()),
            "is_admin": user.has_role(R.FUNDER_ADMIN),
            "programs": db.session.execute(
                select(Program).where(Program.funder_id.in_(funders)).order_by(Program.created_at.desc())
            ).scalars().all(),
        }
    if user.has_role(R.REVIEWER):
        sections["reviewer"] = {
            "assignments": db.session.execute(
                select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id,
                                               ReviewAssignment.status == ASSIGNED)
                .options(selectinload(ReviewAssignment.application).selectinload(Application.program),
                         selectinload(ReviewAssignment.review))
            ).scalars().all(),
        }
    if user.has_role(R.COMMUNITY_ADVISOR):
        sections["advisor"] = {"funders": user.organizations_with(R.COMMUNITY_ADVISOR)}
    return render_template("core/dashboard.html", sections=sections)
