"""Benchmark: 1,000 award letters issued as a batch through the real task queue.

Measures letters per second with one `grantflow worker` process and with two (separate processes,
as WeasyPrint wants), and compares the one-worker batch with the floor: WeasyPrint rendering the
very same HTML strings in a bare loop (same fetcher, font configuration and PDF/UA-1 options). The
batch's extra work — loading decisions, the sandboxed wording, writing each file atomically with
its SHA-256, one commit per letter, the queue, the ZIP — is what the ratio shows.

The floor and the batch it is compared with run at the same time *on the same core* (both pinned
to CPU 0), the bare loop in this process and the worker in its own. The scheduler gives each an
equal share of that core, so the ratio of their rates is the ratio of what a letter costs each, and
neither this machine's drift (20% from one minute to the next) nor a difference between its two
cores can favour one side. Two identical bare loops measured this way agree to 0.1%; measured side
by side on the two cores they differed by up to 12%. The one-worker and two-worker rates of the
headline are measured alone, on both cores.

The floor loop alternates two renders of each letter: bare, and through
`grantflow.core.pdf.with_stack_headroom` as the product renders (see its comment: CPython 3.11
maps and unmaps stack chunks when a deep recursion keeps crossing a chunk boundary). The headline
compares with the bare one; the diagnostic line also gives the like-for-like ratio.

    .venv/bin/python bench/letters.py            # 1,000 letters (about 8 minutes on 2 cores)
    .venv/bin/python bench/letters.py -n 200     # quicker

PAdES signing (grantflow/letters/pades.py, on when the funder's certificate is set up) is measured
apart, on the floor loop's own PDFs with a self-signed certificate: the batches run unsigned.

The last line is the headline: per_s_1_worker=… per_s_2_workers=… speedup=… floor_ratio=…
signing_ms=… signing_share=… (signing time as a share of rendering time)
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GRANTFLOW = str(Path(sys.executable).parent / "grantflow")


def seed(n: int):
    from grantflow.applications.models import Application
    from grantflow.core.db import db
    from grantflow.decisions.models import Decision
    from grantflow.letters.models import Letterhead, LetterTemplate
    from grantflow.letters.wording import default_wording
    from grantflow.organizations.models import Organization
    from grantflow.programs.models import Program
    import datetime as dt

    funder = Organization(kind="funder", slug="bench-funder", name="Bench Community Health Foundation")
    db.session.add(funder)
    db.session.flush()
    db.session.add(Letterhead(funder_id=funder.id, address="1 Bench Road\nRiverside, CA 92501", phone="(951) 555-0100",
                              signatory_name="Dana Whitfield", signatory_title="President and CEO"))
    programs = []
    for label in ("one", "beside", "two", "interleaved"):
        program = Program(funder=funder, slug=f"bench-{label}", title=f"Community Wealth Grants ({label})",
                          status="published", grant_start=dt.date(2027, 1, 1), grant_end=dt.date(2027, 12, 31),
                          contact_name="Pat Officer", contact_email="pat@example.org")
        db.session.add(program)
        db.session.flush()
        db.session.add(LetterTemplate(
            program_id=program.id, kind="award", body=default_wording("award"),
            payment_schedule="50% on signature of the grant agreement; 50% on July 1, 2027.",
            reporting_requirements="A conversation at mid-year and a two-page report at the end of the grant.",
            conditions="Funds may be used for any part of the organization's work.",
            signatory_name="Jordan Rivera", signatory_title="President"))
        for i in range(n):
            org = Organization(kind="cbo", slug=f"org-{label}-{i}", name=f"Neighborhood Land Trust {label} {i}",
                               address_line1=f"{100 + i} Main Street", city="Springfield", state="MA",
                               postal_code="01103", tax_exempt=True)
            application = Application(program=program, organization=org, status="awarded",
                                      title=f"Permanently affordable homes, phase {i}",
                                      amount_requested_cents=50_000_00)
            db.session.add(application)
            db.session.flush()
            db.session.add(Decision(application_id=application.id, program_id=program.id, outcome="award",
                                    amount_cents=(25_000 + i) * 100))
        programs.append(program)
    db.session.commit()
    return programs


def floor_renderer(program, sample: int):
    """The batch's own HTML strings for `sample` of the program's decisions, and the bare
    WeasyPrint call that renders one (warmed up once)."""
    from sqlalchemy import select

    from weasyprint import HTML

    from grantflow.core.db import db
    from grantflow.core.pdf import STATIC_DIR, SafeURLFetcher, font_config
    from grantflow.decisions.models import Decision
    from grantflow.letters.render import head_for, letter_data, letter_html, load_decisions, wording_for

    ids = list(db.session.execute(select(Decision.id).where(Decision.program_id == program.id)
                                  .order_by(Decision.id).limit(sample)).scalars())
    wording = wording_for(program.id, "award")
    head = head_for(program.funder_id, program.funder.name)
    htmls = [letter_html(letter_data(d), wording, head) for d in load_decisions(ids)]
    base_url = STATIC_DIR.as_uri() + "/"

    def render(html: str) -> bytes:
        return HTML(string=html, base_url=base_url, url_fetcher=SafeURLFetcher()).write_pdf(
            font_config=font_config(), pdf_variant="pdf/ua-1", pdf_tags=True)

    render(htmls[0])
    return htmls, render


class FloorLoop:
    """Renders the HTML strings round and round while a batch runs, each letter twice in turn:
    bare, then with the product's stack headroom; counts letters and time of each."""

    def __init__(self, htmls, render):
        from grantflow.core.pdf import with_stack_headroom

        self.htmls, self.render, self.headroom = htmls, render, with_stack_headroom
        self.letters = self.letters_headroom = 0
        self.seconds = self.seconds_headroom = 0.0

    def step(self) -> None:
        html = self.htmls[self.letters % len(self.htmls)]
        start = time.perf_counter()
        self.render(html)
        middle = time.perf_counter()
        self.headroom(lambda: self.render(html))
        self.seconds += middle - start
        self.seconds_headroom += time.perf_counter() - middle
        self.letters += 1
        self.letters_headroom += 1

    @property
    def rate(self) -> float:
        return self.letters / self.seconds

    @property
    def rate_headroom(self) -> float:
        return self.letters_headroom / self.seconds_headroom


def interleaved_ratio(program, n: int, render) -> float:
    """The batch's per-letter work (in this process, no queue) against the bare loop, alternating
    chunk by chunk so that a change in the machine's load hits both sides alike."""
    from grantflow.letters import jobs
    from grantflow.letters.render import head_for, letter_data, letter_html, load_decisions, wording_for

    from grantflow.core.db import db

    batch = jobs.create_batch(program)
    size = jobs.chunk_size(len(batch.decision_ids))  # the chunks of a full batch
    # Only the letters measured here: an unfinished batch would be resumed by the next worker
    # started, which would then render its rest beside the batch being measured.
    ids = batch.decision_ids = batch.decision_ids[:n]
    db.session.commit()
    wording = wording_for(program.id, "award")
    bare = batched = 0.0
    for i in range(0, len(ids), size):
        chunk = ids[i:i + size]
        htmls = [letter_html(letter_data(d), wording, head_for(program.funder_id, program.funder.name))
                 for d in load_decisions(chunk)]
        start = time.perf_counter()
        for html in htmls:
            render(html)
        bare += time.perf_counter() - start
        start = time.perf_counter()
        jobs.issue_chunk(batch.id, chunk)
        batched += time.perf_counter() - start
    db.session.expire_all()
    assert db.session.get(type(batch), batch.id).status == "done", "the interleaved batch did not finish"
    return bare / batched


def run_batch(app, program, workers: int, instance: Path, beside: FloorLoop | None = None) -> float:
    """Letters per second of one batch through `grantflow worker -w N`, from the moment it is
    queued until its ZIP is built. With `beside`, the floor loop renders in this process meanwhile,
    and both processes are pinned to CPU 0."""
    from grantflow.core.db import db
    from grantflow.letters import jobs
    from grantflow.letters.models import LetterBatch

    log_path = instance / f"worker-{workers}.log"
    env = dict(os.environ, GRANTFLOW_INSTANCE_PATH=str(instance), GRANTFLOW_SECRET_KEY="bench",
               PYTHONUNBUFFERED="1")
    pin = (lambda: os.sched_setaffinity(0, {0})) if beside is not None else None
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([GRANTFLOW, "worker", "-w", str(workers)], env=env, stdout=log, stderr=log,
                                start_new_session=True, preexec_fn=pin)
    cpus = os.sched_getaffinity(0)
    if beside is not None:
        os.sched_setaffinity(0, {0})
    try:
        deadline = time.monotonic() + 60
        while "consumer started" not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        time.sleep(1.0)  # let the worker processes finish importing
        start = time.perf_counter()
        batch = jobs.start_batch(program)
        checked = start
        while True:
            if beside is None:
                time.sleep(0.2)
            else:
                beside.step()
                if time.perf_counter() - checked < 0.5:
                    continue
                checked = time.perf_counter()
            db.session.expire_all()
            if db.session.get(LetterBatch, batch.id).status == "done":
                break
            if proc.poll() is not None:
                raise SystemExit(f"worker died; see {log_path}")
        elapsed = time.perf_counter() - start
        state = jobs.progress(db.session.get(LetterBatch, batch.id))
        if state["done"] != len(batch.decision_ids) or state["error"]:
            raise SystemExit(f"batch incomplete: {state}")
        return len(batch.decision_ids) / elapsed
    finally:
        os.sched_setaffinity(0, cpus)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def signing_cost(render, htmls: list[str], instance: Path, n: int = 40) -> tuple[float, float]:
    """Seconds per letter to render, and to add the PAdES signature (measured apart: the batches
    above run unsigned, as a funder without a certificate would)."""
    from grantflow.letters import pades

    pades.make_self_signed(instance / "signing", "Bench Community Health Foundation")
    pdfs, start = [], time.perf_counter()
    for html in (htmls * n)[:n]:
        pdfs.append(render(html))
    rendering = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for pdf in pdfs:
        pades.sign(pdf, reason="bench")
    signing = (time.perf_counter() - start) / n
    (instance / "signing" / pades.KEY_FILE).unlink()
    return rendering, signing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="letters per batch (default 1000)")
    parser.add_argument("--floor-sample", type=int, default=None,
                        help="distinct letters the floor loop cycles through (default: n)")
    args = parser.parse_args()

    from grantflow import create_app
    from grantflow.core.db import db

    with tempfile.TemporaryDirectory(prefix="gf-bench-letters-") as tmp:
        instance = Path(tmp) / "instance"
        config = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"}
        if os.environ.get("LETTERS_CHUNK_SIZE"):
            config["LETTERS_CHUNK_SIZE"] = int(os.environ["LETTERS_CHUNK_SIZE"])
        app = create_app(config)
        with app.app_context():
            db.create_all()
            t = time.perf_counter()
            one, beside, two, third = seed(args.n)
            print(f"seeded 4 programs x {args.n} award decisions in {time.perf_counter() - t:.1f}s", flush=True)
            print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
            htmls, render = floor_renderer(one, args.floor_sample or args.n)
            ratio = interleaved_ratio(third, min(args.n, 100), render)
            print(f"batch code in process vs bare loop, interleaved ({min(args.n, 100)} letters): "
                  f"{ratio:.2f}", flush=True)
            per_1 = run_batch(app, one, 1, instance)
            print(f"batch with 1 worker, alone: {per_1:.2f} letters/s (load {os.getloadavg()[0]:.1f})", flush=True)
            floor = FloorLoop(htmls, render)
            per_beside = run_batch(app, beside, 1, instance, beside=floor)
            print(f"batch with 1 worker sharing CPU 0 with the floor: {per_beside:.2f} letters/s; floor (bare "
                  f"WeasyPrint loop, {floor.letters} letters meanwhile): {floor.rate:.2f} letters/s; the same "
                  f"with stack headroom: {floor.rate_headroom:.2f} letters/s; like-for-like ratio "
                  f"{per_beside / floor.rate_headroom:.2f}", flush=True)
            per_2 = run_batch(app, two, 2, instance)
            print(f"batch with 2 workers: {per_2:.2f} letters/s (load {os.getloadavg()[0]:.1f})", flush=True)
            rendering, signing = signing_cost(render, htmls, instance)
            print(f"PAdES signing, measured apart: {signing * 1000:.1f} ms per letter beside {rendering * 1000:.1f} ms "
                  f"to render it ({signing / rendering:.0%} more)", flush=True)
            db.session.remove()
            db.engine.dispose()
    print(f"cpus={os.cpu_count()} n={args.n}")
    print(f"per_s_1_worker={per_1:.2f} per_s_2_workers={per_2:.2f} speedup={per_2 / per_1:.2f} "
          f"floor_ratio={per_beside / floor.rate:.2f} signing_ms={signing * 1000:.1f} "
          f"signing_share={signing / rendering:.2f}")


if __name__ == "__main__":
    main()
