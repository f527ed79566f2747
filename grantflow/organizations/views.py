"""Pages of the organizations area: a CBO's profile, leadership demographics (behind consent),
community-led practices and feedback loops, a network's members and invitations, the
invitations an organization answers, and the organization's team (grantflow/organizations/team.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from forms.organizations import DemographicsForm, PracticesForm, ProfileForm, TeamInviteForm, TeamRoleForm
from grantflow.chna import search as place_search
from grantflow.core import auditlog, i18n, uow
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.inputs import query_int, row_index
from grantflow.core.policy import authorize
from grantflow.core.views import dashboard_section
from grantflow.accounts.policy import admin_org_ids
from grantflow.organizations import services, team
from grantflow.organizations.models import FUNDER, INVITED, NETWORK, Organization
from grantflow.organizations.policy import members_to_act_for

bp = Blueprint("organizations", __name__, cli_group=None)


def _org(slug: str, action: str = "organization.edit") -> Organization:
    org = db.session.execute(select(Organization).where(Organization.slug == slug)).scalar_one_or_none()
    if org is None or org.kind == FUNDER:
        abort(404)
    authorize(action, org)
    return org


def _form_id(name: str) -> int:
    """An id posted in a form; 0 when it is missing, not a number or past what the database holds."""
    return max(0, request.form.get(name, 0, type=query_int))


def _status(form) -> int:
    return 422 if form.errors else 200


@bp.route("/organizations/<slug>/profile", methods=["GET", "POST"])
@login_required
def profile(slug: str):
    """The profile; its places are found by ZIP code, city, neighborhood or tract name (the search
    and "choose a ZIP's tracts" buttons save a valid profile and come back by GET with the search)."""
    org = _org(slug)
    options = place_search.options(by_geoid=True)
    known = {o.key for o in options}
    action = request.form.get("action", "save")
    if request.method == "POST":
        formdata = request.form.copy()
        if action.startswith("choose_zip:"):
            added = place_search.zip_keys(options, action.partition(":")[2])
            formdata.setlist("service_places", list(dict.fromkeys(formdata.getlist("service_places") + added)))
        # The language is kept when the form does not send it.
        form = ProfileForm(formdata=formdata, language=org.language or i18n.SOURCE_LOCALE)
    else:
        area = list(org.service_area or [])
        form = ProfileForm(data={
            "name": org.name, "ein": org.ein, "tax_exempt": "yes" if org.tax_exempt else ("no" if org.ein or org.fiscal_sponsor_ein else None),
            "fiscal_sponsor_name": org.fiscal_sponsor_name, "fiscal_sponsor_ein": org.fiscal_sponsor_ein,
            "address_line1": org.address_line1, "address_line2": org.address_line2, "city": org.city,
            "state": org.state, "postal_code": org.postal_code,
            "service_places": [g for g in area if g in known],
            "service_codes": ", ".join(g for g in area if g not in known),
            "annual_budget": org.annual_budget_cents,
            "staff_size": org.staff_size, "year_founded": org.year_founded, "mission": org.mission,
            "website": org.website, "contact_name": org.contact_name, "contact_title": org.contact_title})
    form.service_places.choices = [(o.key, o.label) for o in options]
    if request.method != "POST":
        form.language.data = org.language or i18n.SOURCE_LOCALE
    if form.validate_on_submit():
        before = services.profile_snapshot(org)
        org.name = form.name.data
        org.ein = form.ein.data or None
        org.tax_exempt = form.tax_exempt.data == "yes"
        org.fiscal_sponsor_name = form.fiscal_sponsor_name.data or None
        org.fiscal_sponsor_ein = form.fiscal_sponsor_ein.data or None
        for name in ("address_line1", "address_line2", "city", "state", "postal_code", "mission", "website",
                     "contact_name", "contact_title"):
            setattr(org, name, getattr(form, name).data or None)
        area = list(form.service_places.data or [])
        area += [c for c in getattr(form, "parsed_codes", []) if c not in area]
        org.service_area = area
        org.annual_budget_cents = form.annual_budget.data
        org.staff_size = form.staff_size.data
        org.year_founded = form.year_founded.data
        org.language = form.language.data
        auditlog.record("organization.profile_updated", org, before=before, after=services.profile_snapshot(org))
        flash(_("Your profile is saved."), "success")
        if action == "find_places" or action.startswith("choose_zip:"):
            return redirect(url_for("organizations.profile", slug=org.slug,
                                    places_q=request.form.get("places_q", "")[:200]) + "#places_q", 303)
        return redirect(url_for("organizations.profile", slug=org.slug))
    query = request.form.get("places_q") if request.method == "POST" else request.args.get("places_q")
    picker = place_search.picker(options, query, form.service_places.data)
    return render_template("organizations/profile.html", org=org, form=form, tab="profile",
                           picker=picker), _status(form)


@bp.route("/organizations/<slug>/demographics", methods=["GET", "POST"])
@login_required
def demographics(slug: str):
    org = _org(slug)
    lp = org.leadership
    if request.method == "POST":
        form = DemographicsForm()
    elif lp is not None:
        declined = set(lp.declined or ())
        form = DemographicsForm(data={
            "consent": lp.consent_given_at is not None, "ed_race": lp.ed_race or [], "ed_race_other": lp.ed_race_other,
            **{n: getattr(lp, n) for n in services.COUNT_FIELDS},
            **{n + "_declined": n in declined for n in services.COUNT_FIELDS}})
    else:
        form = DemographicsForm()
    if request.method == "POST":
        form.validate()
        if form.errors.get("csrf_token"):
            pass
        elif not form.consent.data:
            # Without consent nothing is stored, and whatever was stored is deleted; what was typed
            # stays on this page only (the person may have meant to tick the box).
            had = org.leadership is not None
            services.save_leadership(org, consent=False, ed_race=[], ed_race_other=None, counts={}, declined=[])
            for f in form:
                f.errors = []
            declined_note = (_("Your consent is withdrawn and every demographic answer is deleted.") if had
                             else _("Nothing was stored: you did not give consent."))
            return render_template("organizations/demographics.html", org=org, form=form, tab="demographics",
                                   consent_text=services.CONSENT_TEXT, shares=services.shares(None),
                                   declined_note=declined_note)
        elif not form.errors:
            services.save_leadership(
                org, consent=True, ed_race=form.ed_race.data or [], ed_race_other=form.ed_race_other.data,
                counts={n: form[n].data for n in services.COUNT_FIELDS}, declined=form.declined())
            flash(_("Your leadership demographics are saved."), "success")
            return redirect(url_for("organizations.demographics", slug=org.slug))
    return render_template("organizations/demographics.html", org=org, form=form, tab="demographics",
                           consent_text=services.CONSENT_TEXT, shares=services.shares(org.leadership)), _status(form)


def _loops_action() -> str:
    return request.form.get("action", "save")


@bp.route("/organizations/<slug>/practices", methods=["GET", "POST"])
@login_required
def practices(slug: str):
    org = _org(slug)
    pr = org.practices
    if request.method == "POST":
        form = PracticesForm()
    else:
        data = {"loops": [{"method": l.method, "frequency": l.frequency, "recent_change": l.recent_change}
                          for l in org.feedback_loops]}
        if pr is not None:
            data |= {k: getattr(pr, k) for k in services.PRACTICE_FIELDS}
            data["community_decision_power"] = {True: "yes", False: "no"}.get(pr.community_decision_power, "")
        form = PracticesForm(data=data)
    action = _loops_action()
    if request.method == "POST" and action != "save":
        # Adding or removing a feedback loop keeps everything typed and saves nothing yet.
        rows = [dict(method=e.form.method.data, frequency=e.form.frequency.data,
                     recent_change=e.form.recent_change.data) for e in form.loops.entries]
        if action == "add_loop" and len(rows) < 20:
            rows.append({"method": "", "frequency": "", "recent_change": ""})
        elif action.startswith("remove_loop:"):
            idx = row_index(action.split(":", 1)[1])
            if idx is not None and idx < len(rows):
                rows.pop(idx)
        md = MultiDict([(k, v) for k, v in request.form.items(multi=True) if not k.startswith("loops-")])
        for i, row in enumerate(rows):
            for k, v in row.items():
                md.add(f"loops-{i}-{k}", v or "")
        form = PracticesForm(formdata=md)
        if not rows:
            form.loops.append_entry()
        return render_template("organizations/practices.html", org=org, form=form, tab="practices",
                               focus_loop=len(rows) - 1 if action == "add_loop" else None)
    if form.validate_on_submit():
        values = {k: form[k].data for k in services.PRACTICE_FIELDS}
        values["community_decision_power"] = {"yes": True, "no": False}.get(form.community_decision_power.data)
        values["decision_power_description"] = form.decision_power_description.data or None
        loops = [dict(method=e.form.method.data, frequency=e.form.frequency.data,
                      recent_change=e.form.recent_change.data) for e in form.loops.entries if e.form.method.data]
        services.save_practices(org, values, loops)
        flash(_("Your community practices and feedback loops are saved."), "success")
        return redirect(url_for("organizations.practices", slug=org.slug))
    return render_template("organizations/practices.html", org=org, form=form, tab="practices",
                           focus_loop=None), _status(form)


@bp.route("/organizations/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug: str):
    """A network's members, its invitations waiting for an answer, and the search to invite more."""
    org = _org(slug)
    if org.kind != NETWORK:
        abort(404)
    error = None
    if request.method == "POST":
        action = request.form.get("action", "")
        member_id = _form_id("member_id")
        if action == "invite":
            member = db.session.get(Organization, member_id)
            try:
                sent = services.invite_member(org, member, current_user)
            except services.ProfileError as exc:
                error = str(exc)
            else:
                flash(_("%(name)s is invited. It becomes a member when one of its people accepts.", name=member.name)
                      if sent else _("%(name)s was invited already.", name=member.name), "success" if sent else "info")
                return redirect(url_for("organizations.members", slug=org.slug))
        elif action == "remove":
            services.remove_member(org, member_id)
            flash(_("The organization is off your list."), "info")
            return redirect(url_for("organizations.members", slug=org.slug))
    query = request.args.get("q", "")
    links = services.links_of_network(org)
    return render_template("organizations/members.html", org=org, tab="members", query=query, error=error,
                           groups=services.by_status(links), status_of={l.member_id: l.status for l in links},
                           visible={m.id for m in members_to_act_for(current_user, org)},
                           results=services.search_organizations(org, query)), 422 if error else 200


@bp.route("/organizations/<slug>/networks", methods=["GET", "POST"])
@login_required
def networks(slug: str):
    """The networks that invited this organization, or that it belongs to: accept, decline, leave."""
    org = _org(slug)
    if request.method == "POST":
        action = request.form.get("action", "")
        if action in ("accept", "decline", "leave"):
            try:
                link = services.answer_invitation(org, _form_id("network_id"),
                                                  accept=action == "accept", answered_by=current_user)
            except services.ProfileError as exc:
                flash(str(exc), "error")
            else:
                flash({"accept": _("%(member)s is now a member of %(network)s.", member=org.name, network=link.network.name),
                       "decline": _("You declined the invitation of %(network)s.", network=link.network.name),
                       "leave": _("%(member)s left %(network)s.", member=org.name, network=link.network.name)}[action],
                      "success")
        return redirect(url_for("organizations.networks", slug=org.slug))
    return render_template("organizations/networks.html", org=org, tab="networks",
                           groups=services.by_status(services.invitations_to([org.id])))


# --- the organization's team --------------------------------------------------------------------------

def _role_form(m, formdata=None):
    return TeamRoleForm(formdata=formdata, prefix=f"m{m.id}", data={"team_role": m.team_role})


def _team_page(org, form, *, member_errors=None, invitation_error=None, status=200):
    people = team.members(org)
    forms = {m.id: _role_form(m) for m in people}
    for member_id, (typed, message) in (member_errors or {}).items():
        if member_id in forms:
            forms[member_id].team_role.data = typed
            forms[member_id].team_role.errors = [message]
    return render_template("organizations/team.html", org=org, tab="team", form=form, members=people,
                           role_forms=forms, invitations=team.invitations(org), invitation_error=invitation_error,
                           now=utcnow(), zone=services.home_timezone(org)), status


@bp.route("/organizations/<slug>/team", methods=["GET", "POST"])
@login_required
def team_page(slug: str):
    """The team: its people and their roles, invitations waiting for an answer, and inviting more."""
    org = _org(slug, "organization.manage_team")
    form = TeamInviteForm()
    if form.validate_on_submit():
        try:
            with uow.attempt():
                inv = team.invite(org, form.email.data, form.role.data, current_user)
        except services.ProfileError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(_("An invitation is on its way to %(email)s, as %(role)s.", email=inv.email,
                    role=inv.role_label.lower()), "success")
            return redirect(url_for("organizations.team_page", slug=org.slug))
    return _team_page(org, form, status=422 if form.errors else 200)


@bp.route("/organizations/<slug>/team/<int:membership_id>", methods=["POST"])
@login_required
def team_member(slug: str, membership_id: int):
    """Changes a person's role (`action=role`) or takes them off the team (`action=remove`)."""
    org = _org(slug, "organization.manage_team")
    action = request.form.get("action", "")
    form = TeamRoleForm(prefix=f"m{membership_id}")
    try:
        with uow.attempt():
            if action == "remove":
                user = team.remove(org, membership_id)
                message = _("%(name)s is no longer on the team of %(org)s; their sessions have ended.",
                            name=user.name, org=org.name)
            elif action == "role" and form.validate():
                m = team.change_role(org, membership_id, form.team_role.data)
                message = _("%(name)s is now %(role)s.", name=m.user.name, role=R.TEAM_LABELS[m.team_role].lower())
            else:
                raise services.ProfileError("team_role", next(iter(form.errors.values()), [_("Choose a role.")])[0]
                                            if action == "role" else _("Choose what to do."))
    except services.ProfileError as exc:
        return _team_page(org, TeamInviteForm(formdata=None),
                          member_errors={membership_id: (form.team_role.data, str(exc))}, status=422)
    flash(message, "success")
    return redirect(url_for("organizations.team_page", slug=org.slug))


@bp.route("/organizations/<slug>/team/invitations/<int:invitation_id>", methods=["POST"])
@login_required
def team_invitation(slug: str, invitation_id: int):
    """Sends an invitation again with a new link (`action=resend`) or revokes it (`action=revoke`)."""
    org = _org(slug, "organization.manage_team")
    action = request.form.get("action", "")
    try:
        with uow.attempt():
            if action == "resend":
                inv = team.resend(org, invitation_id, current_user)
                message = _("The invitation is sent again to %(email)s, with a new link; the old one no longer works.",
                            email=inv.email)
            elif action == "revoke":
                inv = team.revoke(org, invitation_id)
                message = _("The invitation of %(email)s is revoked: its link no longer works.", email=inv.email)
            else:
                raise services.ProfileError("invitation", _("Choose to resend or to revoke the invitation."))
    except services.ProfileError as exc:
        return _team_page(org, TeamInviteForm(formdata=None), invitation_error=str(exc), status=422)
    flash(message, "success")
    return redirect(url_for("organizations.team_page", slug=org.slug))


# --- the applicant's invitations from networks, on the dashboard -------------------------------------

@dashboard_section("organizations/_dashboard.html", R.APPLICANT, order=15)
def invitations_dashboard(user) -> dict:
    """The networks' invitations waiting for an answer from the organizations whose team the user
    administers (only admins answer them)."""
    return {"invitations": services.invitations_to(sorted(admin_org_ids(user)), statuses=(INVITED,))}
