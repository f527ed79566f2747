"""Every setting with its default; instance/config.py and GRANTFLOW_* environment variables override them."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    description: str


# Every setting the code reads, with its default and what it does: the one place a default is
# written (code reads `current_app.config["NAME"]`). The README's configuration table is generated
# from it by scripts/settings_table.py; tests/test_settings.py keeps code, table and README in step.
SETTINGS = (
    # Storage
    Setting("DATABASE_URL", None,
            "Database URL (`postgresql://…` or `sqlite:///…`); unset: `grantflow.sqlite` in the instance folder."),
    Setting("SQLALCHEMY_ENGINE_OPTIONS", {}, "Extra SQLAlchemy engine options (pool size, timeouts)."),
    Setting("MEMO_SECONDS", 120,
            "Seconds a process keeps a computed ranking while its data is unchanged (any write shows at once); 0: never kept."),
    Setting("STORAGE_URL", None,
            "Where files (attachments, logos, letters, ZIPs) live: `s3://bucket[/prefix]`; unset: STORAGE_FOLDER."),
    Setting("STORAGE_FOLDER", None, "Folder of the files when STORAGE_URL is unset; unset: `files/` in the instance folder."),
    Setting("S3_ENDPOINT_URL", None, "Endpoint of an S3-compatible store other than AWS (`https://s3.example.net`)."),
    Setting("S3_REGION", "us-east-1", "Region of the S3 bucket."),
    Setting("S3_SIGNED_URL_SECONDS", 60, "Seconds a signed download URL stays valid (issued only to someone allowed)."),
    Setting("STORAGE_DOWNLOADS", "redirect",
            "S3 downloads: `redirect` to a signed URL, or `stream` through the app (a store browsers cannot reach)."),
    Setting("REDIS_URL", None,
            "Redis shared by every process (`redis://…`): the queue and rate limits unless HUEY_URL / RATELIMIT_STORAGE_URI are set."),
    Setting("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, "Largest attachment accepted, in bytes."),
    Setting("ATTACHMENTS_PER_APPLICATION", 20, "Most files one application may hold."),
    Setting("MAX_CONTENT_LENGTH", 12 * 1024 * 1024,
            "Largest request body accepted, in bytes (an upload plus its form)."),
    Setting("UMASK", 0o027,
            "Process umask set at start: 23 (0o027) keeps what GrantFlow writes from other users; 63 (0o077) from the group too."),
    Setting("BABEL_TRANSLATION_DIRECTORIES", None,
            "Folders of the compiled translation catalogs (`;`-separated); unset: `translations/` in the repository."),
    # Sessions, cookies and sign-in
    Setting("SECRET_KEY", None,
            "Signs sessions and tokens; unset: a random key written once to `instance/secret_key`."),
    Setting("SESSION_COOKIE_HTTPONLY", True, "The session cookie is hidden from scripts."),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("SESSION_COOKIE_SECURE", True,
            "The session cookie is sent over HTTPS only (`make run` turns it off for localhost)."),
    Setting("REMEMBER_COOKIE_HTTPONLY", True, "The remember-me cookie is hidden from scripts."),
    Setting("REMEMBER_COOKIE_SAMESITE", "Lax", "SameSite attribute of the remember-me cookie."),
    Setting("REMEMBER_COOKIE_SECURE", True, "The remember-me cookie is sent over HTTPS only."),
    Setting("PERMANENT_SESSION_LIFETIME", 60 * 60 * 8, "Seconds a session lasts."),
    Setting("SESSION_IDLE_HOURS", 8, "A login session not used for this many hours ends (server-side)."),
    Setting("REMEMBER_DAYS", 30, "A \"keep me logged in\" session not used for this many days ends."),
    Setting("REMEMBER_COOKIE_DURATION", 60 * 60 * 24 * 30,
            "Seconds the remember-me cookie lasts in the browser (matches REMEMBER_DAYS)."),
    Setting("VERIFY_EMAIL_DAYS", 7, "Days an email-confirmation link stays valid."),
    Setting("WTF_CSRF_TIME_LIMIT", None,
            "Seconds a form's CSRF token lasts; null: the session's life (a long edit keeps its token)."),
    Setting("RATELIMIT_ENABLED", True, "Rate limits are applied."),
    Setting("RATELIMIT_STORAGE_URI", None,
            "Where rate-limit counters live (`redis://…`); unset: REDIS_URL, else each process's memory."),
    Setting("LOGIN_RATE_LIMIT", "30 per minute;200 per hour",
            "Failed sign-ins allowed per client address (loose: people behind one office address share it)."),
    Setting("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour;50 per day",
            "Failed sign-ins allowed per account, from any address."),
    Setting("RESET_RATE_LIMIT", "5 per minute;20 per hour",
            "Password-reset and confirmation-link requests allowed per client address."),
    Setting("PASSWORD_RESET_SECONDS", 3600, "Seconds a password-reset link stays valid."),
    Setting("INVITATION_DAYS", 14, "Days an invitation stays valid."),
    # Security headers
    Setting("CONTENT_SECURITY_POLICY",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "Content-Security-Policy of every page: scripts, styles and images from GrantFlow itself only, nothing inline."),
    Setting("HSTS_MAX_AGE", 365 * 24 * 60 * 60, "Seconds of the Strict-Transport-Security header sent on HTTPS requests."),
    Setting("HSTS_ALWAYS", False,
            "Send HSTS on plain-HTTP requests too (behind a proxy that ends TLS and passes no X-Forwarded-Proto)."),
    # Mail
    Setting("MAIL_SERVER", None, "SMTP server; unset: messages are written to the log instead."),
    Setting("MAIL_PORT", 25, "SMTP port."),
    Setting("MAIL_FROM", "grantflow@localhost", "Sender address of every message."),
    Setting("SITE_URL", None,
            "Site address (`https://grants.example.org`) for links in emails the worker sends on its own."),
    Setting("MAIL_DELIVERY", "queue",
            "`queue`: the worker sends each message after its transaction commits; `inline`: the web process does."),
    Setting("OUTBOX_MAX_ATTEMPTS", 6, "Tries before a message the mail server keeps refusing is marked failed."),
    Setting("OUTBOX_RETRY_SECONDS", 30, "First retry delay of a refused message; it doubles each time, at most an hour."),
    Setting("OUTBOX_SENDING_TIMEOUT", 300,
            "Seconds after which a message whose sender stopped mid-send is marked uncertain (never resent on its own)."),
    # Task queue
    Setting("HUEY_URL", None,
            "Task queue storage: `redis://…`; unset: REDIS_URL, else SQLite `huey.sqlite` in the instance folder."),
    Setting("HUEY_NAME", "grantflow", "Name of the queue (several instances may share one Redis)."),
    Setting("HUEY_IMMEDIATE", False,
            "Run queued tasks at once in the caller (for a shell; no worker needed)."),
    Setting("HUEY_MAX_DELAY", 0.5, "Longest pause, in seconds, between an idle worker's polls of the queue."),
    Setting("LETTERS_CHUNK_SIZE", 25,
            "Most letters per queue task (a batch still splits into at least 8 tasks)."),
    Setting("LETTERS_SIGNING_FOLDER", None,
            "Folder of the PAdES key and certificate letters are signed with; unset: `signing/` in the instance folder."),
    # Decisions
    Setting("RELEASE_HOLD_MINUTES", 10,
            "Minutes a release waits before applicants see it and its emails leave; it can be undone meanwhile."),
    # Serving (`grantflow serve`: gunicorn) and logs
    Setting("WEB_BIND", "127.0.0.1:8000", "Address the web server listens on (`host:port`, or `unix:/path`)."),
    Setting("WEB_WORKERS", 2, "Web worker processes (about 2 per CPU core)."),
    Setting("WEB_THREADS", 1,
            "Threads per web worker; 1: sync workers (PDF rendering must not share a process between threads)."),
    Setting("WEB_TIMEOUT", 60, "Seconds a request may run before its worker is restarted (a preview renders a PDF)."),
    Setting("LOG_FORMAT", "json", "`json`: one JSON object per line, with the request id; `text`: plain lines."),
    Setting("PROXY_COUNT", 0,
            "Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (1 behind nginx)."),
    # Reviews and feedback
    Setting("REVIEW_REMINDER_DAYS", 3,
            "Days before the review deadline that a reviewer with a review still due is reminded (once)."),
    Setting("REVIEW_DISAGREEMENT_FRACTION", 0.375,
            "Reviewers disagree when their scores spread by this fraction of the scale (1.5 points on 1–5)."),
    Setting("BURDEN_SURVEY_DAYS", 30, "Days after applications close that the burden survey takes answers."),
    Setting("SURVEY_SUPPRESSION_K", 11,
            "Burden survey and feedback pages: groups of 1 to k−1 people's answers are withheld."),
    # After the award
    Setting("AWARD_REPORT_REMINDER_DAYS", [-14, -3, 1, 14],
            "Days from an interim or final report's due date when its grantee is reminded (negative: before), each once."),
    # Equity audit
    Setting("AUDIT_SUPPRESSION_K", 11,
            "Equity audit: k for programs that set none on the audit page; identity groups of fewer "
            "organizations are withheld."),
    Setting("AUDIT_POOL_CYCLES", 3, "Equity audit: how many decided cycles of a series are pooled (the last ones)."),
    Setting("AUDIT_NO_GAP_MARGIN", 0.10,
            "Equity audit: a difference in award rates whose 95% interval lies within ± this reads as no meaningful gap."),
    Setting("AUDIT_REFERENCE_GROUPS", {},
            'A fixed reference group per dimension (`{"poc_led": "no"}`); else the group with the highest rate.'),
    Setting("AUDIT_SMALL_SAMPLE", 30, "Groups with fewer applicants are flagged as a small sample."),
    Setting("AUDIT_ALPHA", 0.05, "Significance level of the audit's tests."),
    Setting("AUDIT_MIN_REVIEWER_REVIEWS", 10, "Reviewers with fewer reviews are shown but never flagged."),
    Setting("AUDIT_REVIEWER_GAP", 0.5,
            "A reviewer's gap, in rubric points, beyond the panel's gap that flags them."),
    Setting("AUDIT_CRITERION_GAP", 0.25,
            "A criterion's score gap, in points, that flags it (with p < AUDIT_ALPHA)."),
    # The API
    Setting("API_TOKEN_DAYS", 90, "Days a new API token lasts when its maker gives no expiry."),
    Setting("API_TOKEN_MAX_DAYS", 366, "Longest life, in days, of an API token."),
    Setting("API_RATE_LIMIT", "120 per minute;5000 per hour",
            "Requests one API token (or, without one, one address) may make."),
    Setting("API_PAGE_SIZE", 50, "Items in one page of an API list, unless the caller asks for fewer."),
    Setting("WEBHOOK_TIMEOUT", 10, "Seconds a webhook endpoint has to answer a delivery."),
    Setting("WEBHOOK_ALLOW_HTTP", False,
            "Webhook endpoints may be plain http:// addresses (for a receiver on the same machine); else https:// only."),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}
README_MARKERS = ("<!-- settings: generated from grantflow/config.py by scripts/settings_table.py -->",
                  "<!-- /settings -->")


def settings_table() -> str:
    """The settings as a Markdown table (the README's configuration section)."""
    rows = ["| Setting | Default | What it does |", "| --- | --- | --- |"]
    rows += [f"| `{s.name}` | `{json.dumps(s.default)}` | {s.description} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


def apply_environment(config) -> None:
    """GRANTFLOW_FOO=bar sets FOO; values are parsed as JSON when they parse (true, 5, {...})."""
    config.from_prefixed_env("GRANTFLOW")


def ensure_secret_key(config, instance_path: str) -> None:
    """Generates a random key into the instance folder on first run; never a hard-coded default."""
    if config.get("SECRET_KEY"):
        return
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    config["SECRET_KEY"] = path.read_text().strip()


def apply_shared(config) -> None:
    """REDIS_URL stands for the queue's and the rate limits' storage unless those are set."""
    redis_url = config["REDIS_URL"]
    config["HUEY_URL"] = config["HUEY_URL"] or redis_url
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"] or redis_url or "memory://"


def database_uri(config, instance_path: str) -> str:
    url = config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "grantflow.sqlite")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
