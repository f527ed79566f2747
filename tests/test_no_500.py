"""No input, however odd, answers 5xx: random values at every route's path parameters, query and
form fields, as every role, by every method the route allows.

The routes come from `app.url_map`, so a new route is covered without anyone listing it. Valid
path values come from the authorization matrix's rows (tests/authz), which also build the objects
they name (letters, batches, reports…); the form and query fields of each route are found by
reading the forms and links of every page the matrix reaches, so a new field is covered too.

Each route is first sent what its page would send (and nothing at all); then each request draws a
role (three times in four one the matrix allows, so the view gets past its permission check), for
each path parameter a valid value or an odd one, and either a good submission with one to three
fields made odd or left out, or any fields with odd values; a file field gets an odd file. Odd
means huge, negative or signalling-NaN numbers, exponents, dates in year 9999, other scripts'
digits, NUL characters, very long or template-like text, lists, renumbered rows ("budget-²-amount").
Examples are derandomized and not shrunk (the world's data changes as requests go, so a shrunk
example would not replay); a failure names the request, the role and the end of the traceback.
"""
from __future__ import annotations

import io
import os
import re
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from flask import url_for
from flask_migrate import stamp
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import INVITED
from grantflow.programs.models import CustomQuestion
from tests import factories as F
from tests.authz import ROLES, all_routes
from tests.conftest import build_world

ODD = [
    "", " ", "0", "-1", "1", "2", "3", "1.5", "-0", "99999999999999999999", str(2**31), str(2**63),
    str(2**63 - 1), "-" + "9" * 30, "9" * 400, "1e309", "-1e309", "1e9", "1E-400", "1e-999999999", "NaN",
    "sNaN", "nan", "Infinity", "-inf", "0.001", "$1,000.999", "1,000", "1000000000000", "9999-12-31T23:59",
    "9999-12-31", "0001-01-01T00:00", "0001-01-01", "2026-02-30", "2026-03-08T02:30", "\x00", "a\x00b", "٣",
    "²", "Ⅻ", "<script>alert(1)</script>", "{{ 7*7 }}", "{% for x in range(10**9) %}{% endfor %}",
    "{{ 1/0 }}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "' OR 1=1 --", "%s%n%x",
    "../../etc/passwd", "//[", "http://[::1", "/\\evil.example", "\u202eevil", "\ufeff", "😀" * 50,
    "x" * 100_000, "\r\n\r\n", "None", "null", "true", "y", "on", "[]", "{}", "up", "down", "award",
    "decline", "waitlist", "conflict", "none", "save", "submit", "invite", "accept", "leave", "remove",
    "remove:0", "add",
]
ROWS = ["²", "٣", "-1", "9" * 5000, "99999999999999999999"]
FILES = [b"", b"geoid,name,index\n36061000100,Caf\xe9,0.5\n", bytes(range(256)) * 4,
         b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "x,y\n1,2\n".encode() * 1000]
FILENAMES = ["a.csv", "", "../../evil.csv", "x" * 300 + ".png", "nul\x00.pdf", "ünïcödé.png", "logo.PNG"]
POOL_ORG = "Southside Youth Club"  # in the network's pool, neither a member nor invited
GENERIC_QUERY = ("page", "next", "q", "sort")
# The audit's PDF takes seconds to render and reads no input its JSON does not: left to tests/equity.
SKIPPED = {("equity.audit_export", "fmt", "pdf")}
# For a longer hunt: GRANTFLOW_FUZZ_SCALE=10 runs ten times the examples, GRANTFLOW_FUZZ_SEED=7
# other ones than the fixed (derandomized) ones of CI.
SCALE = float(os.environ.get("GRANTFLOW_FUZZ_SCALE") or 1)
SEED = os.environ.get("GRANTFLOW_FUZZ_SEED")

usually = st.sampled_from((True, True, True, False))  # three times in four
text = st.one_of(st.sampled_from(ODD), st.sampled_from(ODD), st.text(max_size=40),
                 st.integers(min_value=-(2**70), max_value=2**70).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))


def renumbered(strategy):
    """Its values with their numbers made odd: "budget-²-amount", "remove_line:9999…"."""
    return st.builds(lambda v, n: re.sub(r"[0-9]+", n, v), strategy, st.sampled_from(ROWS))


@dataclass
class Fields:
    """What the pages tell about a route's fields: name -> values seen, a good value of each (from
    the matrix's own submission, else the page's), and which are files."""
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    good: dict[str, str | list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    def add(self, name: str, value: str) -> None:
        self.values[name].add(value)
        if value:
            self.good.setdefault(name, value)


class _Forms(HTMLParser):
    """The forms (action, method, fields) and links of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, list[tuple[str, str, str]]]] = []
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), a.get("method", "get").upper(), []))
        elif tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        elif self.forms and tag in ("input", "textarea", "button", "select") and a.get("name"):
            self.forms[-1][2].append((a["name"], a.get("type", tag), a.get("value", "")))
            self._select = a["name"] if tag == "select" else None
        elif self.forms and tag == "option" and self._select:
            self.forms[-1][2].append((self._select, "option", a.get("value", "")))


class Fuzz:
    """The world, the valid path values and the known fields of every route, found once."""

    def __init__(self, app):
        self.app = app
        self.world = w = build_world(team=True)
        extra = _extend(w)
        self.adapter = app.url_map.bind("localhost")
        self.valid: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.allowed: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.fields: dict[str, Fields] = defaultdict(Fields)
        self.query: dict[str, Fields] = defaultdict(Fields)
        pages, made = [], {}
        for row in all_routes():
            # A row's callable may make an object each time (a need, a report): once per callable.
            for v in row.kwargs.values():
                if callable(v) and v not in made:
                    made[v] = v(w)
            kwargs = {k: made.get(v, v) if callable(v) else v for k, v in row.kwargs.items()}
            if any((row.endpoint, k, v) in SKIPPED for k, v in kwargs.items()):
                continue
            for k, v in kwargs.items():
                if v not in self.valid[row.endpoint][k]:
                    self.valid[row.endpoint][k].append(v)
            self.allowed[row.endpoint, row.method] |= {r for r in ROLES if row.expected(r) == "ok"}
            data = row.data(w) if callable(row.data) else row.data
            for name, value in (data or {}).items():
                if isinstance(value, tuple):
                    self.fields[row.endpoint].files.add(name)
                else:
                    value = [str(v) for v in value] if isinstance(value, list) else str(value)
                    self.fields[row.endpoint].good[name] = value
                    self.fields[row.endpoint].values[name] |= set(value if isinstance(value, list) else [value])
            if row.method == "GET":
                pages.append((row, kwargs))
        for endpoint, params in self.valid.items():
            for name, values in extra.items():
                if name in params:
                    params[name].extend(v for v in values if v not in params[name])
        # The Westside network's members page, which no matrix row shows its coordinator: searched
        # for an organization of the pool, so its invite and remove forms are read too.
        for method in ("GET", "POST"):
            self.allowed["organizations.members", method].add("other_applicant")
        self._read(f"/organizations/westside/members?{urlencode({'q': POOL_ORG})}", "other_applicant")
        self.valid["static"]["filename"] = sorted(p.name for p in Path(app.static_folder).iterdir() if p.is_file())
        urls = set()
        for row, kwargs in pages:
            variants = [kwargs] + [{**kwargs, k: v} for k in kwargs for v in extra.get(k, ())]
            for args in variants:
                with app.test_request_context():
                    url = url_for(row.endpoint, **args)
                # A page no role of the matrix may see with its own values (an invitation's unknown
                # token) is read as an anonymous visitor with the extra ones.
                for role in sorted(self.allowed[row.endpoint, "GET"]) or ["anonymous"]:
                    if (url, role) not in urls:
                        urls.add((url, role))
                        self._read(url, role)
        db.session.rollback()
        self.pool = sorted({n for f in self.fields.values() for n in f.values})

    def client(self, role):
        return self.app.test_client() if role == "anonymous" else self.app.test_client(user=self.world.users[role])

    def _endpoint(self, url: str, method: str) -> str | None:
        parts = urlsplit(url)
        try:
            return self.adapter.match(parts.path, method=method)[0]
        except (NotFound, MethodNotAllowed):
            return None

    def _read(self, url: str, role: str) -> None:
        response = self.client(role).get(url)
        db.session.rollback()
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        page = _Forms()
        page.feed(response.get_data(as_text=True))
        for action, method, inputs in page.forms:
            target = self._endpoint(action or url, method if method == "POST" else "GET")
            if target is None:
                continue
            known = self.fields[target] if method == "POST" else self.query[target]
            for name, kind, value in inputs:
                if kind == "file":
                    known.files.add(name)
                elif kind not in ("submit", "button"):
                    known.add(name, value)
                else:
                    known.values[name].add(value)
        for href in page.links:
            target = self._endpoint(href, "GET")
            if target is not None:
                for name, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
                    self.query[target].add(name, value)


def _extend(w) -> dict[str, list]:
    """More of the world for the fuzz: a network with a coordinator, a member and an invitation to
    Eastside, a draft application to a program asking one question of every kind, the reviewer
    past the conflict declaration (so the review form shows its scores), and live tokens of a
    password reset, an email confirmation and an invitation (so their forms are read and sent).
    Returns extra valid values by path parameter."""
    from grantflow.accounts import services as accounts
    from grantflow.reviews.assignment import confirm_no_conflict

    confirm_no_conflict(w.assignment)
    unconfirmed = F.user("unconfirmed@example.org")
    unconfirmed.email_verified_at = None
    tokens = [accounts.make_reset_token(F.user("forgetful@example.org")), accounts.make_verify_token(unconfirmed),
              accounts.invite(w.funder, "invited@example.org", R.PROGRAM_OFFICER, w.users["funder_admin"])[1]]
    network = F.organization("network", name="Westside Network", slug="westside")
    F.membership(w.users["other_applicant"], network, R.APPLICANT)
    F.network_member(network, w.other_cbo)
    F.network_member(network, w.cbo, status=INVITED)  # for Eastside's Networks page to answer
    F.application(w.program, network, status="draft")  # its funder's pool is the one it may search
    F.application(w.program, F.cbo(name=POOL_ORG, slug="southside"))
    program = F.program(w.funder, slug="fuzz-2026", title="Every Question Fund")
    for i, (kind, extra) in enumerate([
            ("short_text", {}), ("long_text", {"word_limit": 50}), ("number", {"min_value": 0, "max_value": 100}),
            ("single_choice", {"options": ["Yes", "No"]}), ("multiple_choice", {"options": ["A", "B", "C"]}),
            ("date", {}), ("file", {})]):
        db.session.add(CustomQuestion(program=program, position=i, key=f"{kind}_q", label=f"A {kind} question",
                                      kind=kind, required=i % 2 == 0, **extra))
    draft = F.application(program, w.cbo, status="draft")
    db.session.commit()
    return {"app_id": [draft.id], "program": ["fuzz-2026"], "slug": ["westside"], "token": tokens}


@dataclass
class Request:
    role: str
    method: str
    url: str
    query: dict
    form: dict

    def __repr__(self) -> str:
        def short(v):
            r = repr(v)
            return r if len(r) < 80 else r[:60] + f"…({len(r)} chars)"
        query = {k: short(v) for k, v in self.query.items()}
        form = {k: short(v) for k, v in self.form.items()}
        return f"{self.role} {self.method} {short(self.url)} query={query} form={form}"


_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _url(rule, args: dict) -> str:
    """The rule's path with each argument in its place, percent-encoded (whatever its converter)."""
    return _ARG.sub(lambda m: quote(str(args.get(m.group(2), "x")), safe=""), rule.rule)


def _plain(fuzz: Fuzz, rule, method: str) -> list[Request]:
    """The requests a page would send, tried first: valid path values as an allowed role, with no
    fields (no browser sends that, but anybody can) and with each field's value from the page."""
    endpoint = rule.endpoint
    role = min(fuzz.allowed.get((endpoint, method)) or ROLES)
    url = _url(rule, {name: (fuzz.valid[endpoint].get(name) or ["1"])[0] for _, name in _ARG.findall(rule.rule)})
    own = fuzz.fields[endpoint] if method == "POST" else fuzz.query[endpoint]
    values = dict(own.good)
    if method == "POST":
        return [Request(role, method, url, {}, {}), Request(role, method, url, {}, values)]
    return [Request(role, method, url, {}, {}), Request(role, method, url, values, {})]


def _requests(fuzz: Fuzz, rule, method: str):
    """A strategy of requests to one route by one method."""
    endpoint = rule.endpoint
    allowed = sorted(fuzz.allowed.get((endpoint, method), set())) or list(ROLES)
    own = fuzz.fields[endpoint] if method == "POST" else fuzz.query[endpoint]
    names = sorted(own.values) + ([] if method == "POST" else [n for n in GENERIC_QUERY if n not in own.values])
    path_args = _ARG.findall(rule.rule)

    @st.composite
    def build(draw):
        role = draw(st.sampled_from(allowed) if draw(usually) else st.sampled_from(ROLES))
        args = {}
        for converter, name in path_args:
            valid = fuzz.valid[endpoint].get(name) or []
            odd = (st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.sampled_from(ODD)
                   if converter == "int" else text)
            args[name] = draw(st.sampled_from(valid) if valid and draw(usually) else odd)
        url = _url(rule, args)
        def odd_value(name):
            seen = sorted(own.values.get(name, ()))
            one = st.one_of(st.sampled_from(seen), text, renumbered(st.sampled_from(seen))) if seen else text
            return one | st.lists(one, min_size=2, max_size=3)

        if draw(usually):  # a good submission with one to three fields made odd (or left out)
            values = dict(own.good)
            own_name = st.sampled_from(names or fuzz.pool)  # the route's own fields, most of the time
            name_of = st.one_of(own_name, own_name, renumbered(own_name), st.sampled_from(fuzz.pool))
            for name in draw(st.lists(name_of, min_size=1, max_size=3, unique=True)):
                values[name] = draw(odd_value(name) | st.none())
            values = {k: v for k, v in values.items() if v is not None}
        else:  # any of the fields, each odd
            chosen = [n for n in names if draw(st.booleans())]
            chosen += draw(st.lists(st.sampled_from(fuzz.pool), max_size=2)) if fuzz.pool else []
            values = {name: draw(odd_value(name)) for name in chosen}
        if method == "POST":
            for name in sorted(own.files):
                if draw(st.booleans()):
                    values[name] = (io.BytesIO(draw(st.sampled_from(FILES) | st.binary(max_size=200))),
                                    draw(st.sampled_from(FILENAMES)))
            return Request(role, method, url, {}, values)
        return Request(role, method, url, values, {})

    return build()


def _check(fuzz: Fuzz, req: Request) -> None:
    url = req.url + ("?" + urlencode(req.query, doseq=True) if req.query else "")
    try:
        response = fuzz.client(req.role).open(url, method=req.method, data=req.form or None)
        status = response.status_code
        response.close()
    except Exception as exc:  # the test client re-raises what the view raised (TESTING)
        tail = "".join(traceback.format_exception(exc)[-6:])
        raise AssertionError(f"{req!r}\n{type(exc).__name__}: {str(exc)[:300]}\n{tail[-2500:]}") from None
    finally:
        db.session.rollback()
    assert status < 500, f"{req!r} answered {status}"


def _targets(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fuzz_every_route(app, scale: float, check_discovery: bool = False) -> list[str]:
    """Fuzzes every route; a route gets more examples the more fields it has (`scale` times
    4 plus two per field, at most 30)."""
    # The schema is create_all's: mark it as at the migrations' head, so /readyz answers 200 here
    # (its 503 is the "not ready" a load balancer reads, tested in tests/test_operations.py).
    stamp(directory=app.extensions["migrate"].directory)
    fuzz = Fuzz(app)
    if check_discovery:  # the pages were read: fields of forms, of file uploads and of custom questions
        assert {"budget_cents", "opens_at", "timezone"} <= set(fuzz.fields["programs.new"].values)
        assert {"q_number_q", "q_date_q", "amount_requested"} <= set(fuzz.fields["applications.edit"].values)
        assert "q_file_q" in fuzz.fields["applications.edit"].files
        assert "imp-file" in fuzz.fields["chna.import_places"].files
        assert any(n.startswith("criterion_") for n in fuzz.fields["reviews.review"].values)
        assert {"password", "confirm"} <= set(fuzz.fields["accounts.reset_password"].values)
        assert {"name", "password"} <= set(fuzz.fields["accounts.accept_invitation"].values)
        assert {"action", "network_id"} <= set(fuzz.fields["organizations.networks"].values)
        assert "invite" in fuzz.fields["organizations.members"].values["action"]
    failures = []
    for rule, method in _targets(app):
        known = fuzz.fields[rule.endpoint] if method == "POST" else fuzz.query[rule.endpoint]
        examples = max(2, round(SCALE * scale * min(30, 4 + 2 * (len(known.values) + len(known.files)))))

        @settings(max_examples=examples, derandomize=SEED is None, database=None, deadline=None,
                  phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False,
                  suppress_health_check=list(HealthCheck))
        @given(req=_requests(fuzz, rule, method))
        def run(req):
            _check(fuzz, req)

        for req in _plain(fuzz, rule, method):
            run = example(req=req)(run)
        if SEED is not None:
            run = seed(int(SEED))(run)

        try:
            run()
        except AssertionError as exc:
            failures.append(f"{method} {rule.rule}:\n{exc}")
    return failures


@pytest.mark.long
def test_no_route_answers_5xx_on_sqlite(app):
    failures = _fuzz_every_route(app, scale=1.5, check_discovery=True)
    assert not failures, f"{len(failures)} routes answered 5xx:\n\n" + "\n\n".join(failures)


@pytest.mark.long
@pytest.mark.postgres
def test_no_route_answers_5xx_on_postgresql(pg_app):
    """Fewer examples: PostgreSQL refuses out-of-range integers, over-long text and NUL characters
    that SQLite stores, so the same requests fail differently there."""
    failures = _fuzz_every_route(pg_app, scale=0.3)
    assert not failures, f"{len(failures)} routes answered 5xx:\n\n" + "\n\n".join(failures)
