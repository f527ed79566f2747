"""Pages of the CHNA area: a funder's ranked needs, its places (import, priority marks) and its
ZIP–tract crosswalk, through `grantflow.chna.importer` and `grantflow.chna.crosswalk` like the
`grantflow import-places` and `import-crosswalk` commands (commands.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from forms.chna import ImportCrosswalkForm, ImportPlacesForm, NeedForm, ThresholdForm
from grantflow.chna import crosswalk, importer, names, services
from grantflow.chna.models import Place
from grantflow.core.db import db
from grantflow.core.i18n import format_number
from grantflow.core.inputs import query_int
from grantflow.core.policy import authorize
from grantflow.organizations.models import FUNDER, Organization

bp = Blueprint("chna", __name__, cli_group=None)

PAGE_SIZE = 100
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _funder(slug: str) -> Organization:
    funder = db.session.execute(
        select(Organization).where(Organization.slug == slug, Organization.kind == FUNDER)).scalar_one_or_none()
    if funder is None:
        abort(404)
    authorize("funder.staff", funder)
    return funder


def _index_url(funder, anchor=""):
    return url_for("chna.index", slug=funder.slug) + anchor


@bp.app_template_filter("region_name")
def _region_name(codes) -> str:
    """A funder's region (service-area codes) by name: `funder.service_area|region_name`."""
    return names.region_name(codes)


def _render(funder, need_form=None, import_form=None, mark_form=None, import_errors=None, status=200,
            crosswalk_form=None, crosswalk_errors=None):
    page = max(1, request.args.get("page", 1, type=query_int) or 1)
    only_priority = request.args.get("priority") == "1"
    query = select(Place).where(Place.funder_id == funder.id)
    if only_priority:
        query = query.where(Place.is_priority)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    places = db.session.execute(
        query.order_by(Place.need_index.desc().nulls_last(), Place.geoid)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    stats = db.session.execute(
        select(func.count(), func.count().filter(Place.is_priority)).where(Place.funder_id == funder.id)).one()
    forms_ = (need_form, import_form, mark_form, crosswalk_form)
    return render_template(
        "chna/index.html", funder=funder, needs=services.needs(funder.id),
        need_form=need_form or NeedForm(formdata=None), import_form=import_form or ImportPlacesForm(formdata=None, prefix="imp"),
        mark_form=mark_form or ThresholdForm(formdata=None, prefix="mark"), import_errors=import_errors or [],
        places=places, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)), only_priority=only_priority,
        n_places=stats[0], n_priority=stats[1],
        crosswalk_form=crosswalk_form or ImportCrosswalkForm(formdata=None, prefix="cw"),
        crosswalk_errors=crosswalk_errors or [], crosswalk=crosswalk.summary(funder.id),
    ), (422 if import_errors or crosswalk_errors or any(f is not None and f.errors for f in forms_) else status)


@bp.route("/funders/<slug>/chna")
def index(slug):
    return _render(_funder(slug))


def _need_values(form: NeedForm) -> dict:
    return {"name": form.name.data, "weight": form.weight.data, "description": form.description.data or ""}


@bp.route("/funders/<slug>/chna/needs", methods=["POST"])
def need_add(slug):
    funder = _funder(slug)
    form = NeedForm()
    if form.validate_on_submit():
        try:
            services.add_need(funder.id, _need_values(form), rank=form.rank.data)
        except services.NeedError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Need “%(name)s” added.", name=form.name.data), "success")
            return redirect(_index_url(funder, "#needs"))
    return _render(funder, need_form=form)


def _need(funder, need_id):
    try:
        return services.get_need(funder.id, need_id)
    except LookupError:
        abort(404)


@bp.route("/funders/<slug>/chna/needs/<int:need_id>", methods=["GET", "POST"])
def need_edit(slug, need_id):
    funder = _funder(slug)
    need = _need(funder, need_id)
    form = NeedForm(obj=need) if request.method == "GET" else NeedForm()
    if form.validate_on_submit():
        try:
            services.update_need(funder.id, need_id, _need_values(form), rank=form.rank.data)
        except services.NeedError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Need saved."), "success")
            return redirect(_index_url(funder, "#needs"))
    return render_template("chna/need_edit.html", funder=funder, need=need, form=form), (422 if form.errors else 200)


@bp.route("/funders/<slug>/chna/needs/<int:need_id>/move", methods=["POST"])
def need_move(slug, need_id):
    funder = _funder(slug)
    _need(funder, need_id)
    services.move_need(funder.id, need_id, -1 if request.form.get("direction") == "up" else 1)
    return redirect(_index_url(funder, "#needs"))


@bp.route("/funders/<slug>/chna/needs/<int:need_id>/remove", methods=["POST"])
def need_remove(slug, need_id):
    funder = _funder(slug)
    try:
        need = services.get_need(funder.id, need_id)
    except LookupError:  # a second click, or a stale page
        flash(_("That need was already removed."), "success")
        return redirect(_index_url(funder, "#needs"))
    name = need.name
    services.remove_need(funder.id, need_id)
    flash(_("Need “%(name)s” removed.", name=name), "success")
    return redirect(_index_url(funder, "#needs"))


def _run_import(funder, form, key: str, run):
    """Runs `run(data, source)` on the form's uploaded CSV: (its result, None), or (None, the page
    again) with the problem at the file field and, when the import refused, every bad line listed
    (`key`: "import" or "crosswalk", the page's form and list)."""
    if form.validate_on_submit():
        data = form.file.data.stream.read(IMPORT_MAX_BYTES + 1)
        if len(data) > IMPORT_MAX_BYTES:
            form.file.errors.append(_("The file is larger than %(mb)s MB; split it.",
                                      mb=format_number(IMPORT_MAX_BYTES // (1024 * 1024))))
        else:
            try:
                return run(data, (form.file.data.filename or "upload")[:80]), None
            except importer.ImportRefused as exc:
                form.file.errors.append(ngettext("Nothing was imported: %(num)d row has a problem (listed below).",
                                                 "Nothing was imported: %(num)d rows have problems (listed below).",
                                                 len(exc.errors)))
                return None, _render(funder, **{f"{key}_form": form, f"{key}_errors": exc.errors})
    return None, _render(funder, **{f"{key}_form": form})


@bp.route("/funders/<slug>/chna/places/import", methods=["POST"])
def import_places(slug):
    funder = _funder(slug)
    form = ImportPlacesForm(prefix="imp")
    threshold = float(form.threshold.data) if form.use_threshold.data and form.threshold.data is not None else None
    result, page = _run_import(funder, form, "import", lambda data, source: importer.import_bytes(
        funder.id, data, source=source, priority_threshold=threshold))
    if page:
        return page
    flash(ngettext("Imported %(num)d place (%(new)s new, %(updated)s updated, %(layout)s layout). %(priority)s "
                   "places are marked as priority.",
                   "Imported %(num)d places (%(new)s new, %(updated)s updated, %(layout)s layout). %(priority)s "
                   "places are marked as priority.", result.created + result.updated, new=result.created,
                   updated=result.updated, layout="SVI" if result.layout == "svi" else _("simple"),
                   priority=result.priority), "success")
    return redirect(_index_url(funder, "#places"))


@bp.route("/funders/<slug>/chna/crosswalk/import", methods=["POST"])
def import_crosswalk(slug):
    funder = _funder(slug)
    result, page = _run_import(funder, ImportCrosswalkForm(prefix="cw"), "crosswalk",
                               lambda data, source: crosswalk.import_bytes(funder.id, data, source=source))
    if page:
        return page
    flash(_("Imported the ZIP–tract crosswalk: %(lines)s lines for %(zips)s ZIP codes.", lines=result.lines,
            zips=result.zips) + (" " + result.unknown_text() if result.unknown_total else ""), "success")
    return redirect(_index_url(funder, "#crosswalk"))


@bp.route("/funders/<slug>/chna/places/mark", methods=["POST"])
def mark_priority(slug):
    funder = _funder(slug)
    form = ThresholdForm(prefix="mark")
    if not form.validate_on_submit():
        return _render(funder, mark_form=form)
    count = services.mark_priority_at_least(funder.id, float(form.threshold.data))
    flash(ngettext("%(num)d place with a need index of at least %(threshold)s is now marked as priority.",
                   "%(num)d places with a need index of at least %(threshold)s are now marked as priority.", count,
                   threshold=form.threshold.data), "success")
    return redirect(_index_url(funder, "#places"))


@bp.route("/funders/<slug>/chna/places/<int:place_id>/priority", methods=["POST"])
def place_priority(slug, place_id):
    funder = _funder(slug)
    try:
        place = services.set_priority(funder.id, place_id, request.form.get("priority") == "1")
    except LookupError:
        abort(404)
    flash(_("%(place)s is now a priority place.", place=place.name) if place.is_priority
          else _("%(place)s is no longer a priority place.", place=place.name), "success")
    args = {"page": request.form.get("page", type=query_int)}
    if request.form.get("only_priority") == "1":
        args["priority"] = "1"
    return redirect(url_for("chna.index", slug=funder.slug, **{k: v for k, v in args.items() if v})
                    + f"#place-{place.id}")
