"""Browser journeys: the real app served on 127.0.0.1 in a thread, driven by Debian's Chromium
through Playwright (never a downloaded browser), with axe-core for accessibility checks."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from grantflow.core.db import db
from tests import factories as F
from tests.conftest import create_schema, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def live_server(tmp_path, app_config, sqlite_schema):
    """The app, with CSRF on, on a fresh SQLite database, served at `live_server.url`.

    `live_server.app` is the Flask app (use `with live_server.app.app_context():` to seed data).
    """
    config = {"WTF_CSRF_ENABLED": True, "SERVER_NAME": None}
    config.update(app_config)
    app = make_app(tmp_path, **config)
    with app.app_context():
        create_schema(sqlite_schema)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(app=app, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page, impacts=("serious", "critical")):
    """No serious or critical axe-core violations on the page as it is now."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in impacts]
    assert not bad, "axe-core violations on %s:\n%s" % (
        page.url, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                            f"{[n['target'] for n in v['nodes']][:3]}" for v in bad))


def confirm_email(page, app, email: str) -> None:
    """After registering: the "check your email" page, then the link we emailed, opened in the
    browser (it logs the new account in and shows the dashboard)."""
    import re

    from grantflow.core.mail import outbox

    assert page.get_by_role("heading", name="Check your email").is_visible()
    with app.app_context():
        [message] = [m for m in outbox() if m["To"] == email and "Confirm your email" in m["Subject"]]
    page.goto(re.search(r"http://\S+/verify/\S+", message.get_content()).group(0))
    page.wait_for_url("**/dashboard")


def fill_login(page, email: str, password: str = F.PASSWORD) -> None:
    """Fills and sends the login form the page shows (also after a redirect to it)."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def see(page, *texts: str) -> None:
    """Waits until the page's text holds each of ``texts``: after a click the next page may not have
    loaded yet, and reading ``page.content()`` at that moment reads an empty document."""
    for text in texts:
        expect(page.locator("body")).to_contain_text(text)


def log_in(page, base_url: str, email: str, password: str = F.PASSWORD) -> None:
    """Logs in from the login page and waits for the dashboard."""
    page.goto(base_url + "/login")
    fill_login(page, email, password)
    page.wait_for_url("**/dashboard")


_LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + " " + e.blockedURI);
});"""


class CspViolations:
    """Console messages and securitypolicyviolation events about the policy, page by page."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(_LISTEN)
        page.on("console", lambda m: self.console.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text else None)

    def events(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def check(self) -> None:
        found = self.console + [f"{self.page.url}: {e}" for e in self.events()]
        assert not found, "\n".join(found)
