"""A web server the fault tests can SIGKILL and restart quickly.

Run as ``python -m tests.killable_server CONFIG_JSON``: the app is created once, then each line
``start PORT`` on stdin forks a child that serves it on 127.0.0.1:PORT (threaded, like a
development server) and prints the child's pid. Forking from an app that is already imported makes
a restart take milliseconds, so a test can kill the server at many random points.
"""
from __future__ import annotations

import json
import os
import sys


def main() -> None:
    from werkzeug.serving import make_server

    from grantflow import create_app
    from grantflow.core.db import db

    app = create_app(json.loads(sys.argv[1]))
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd != "start":
            continue
        pid = os.fork()
        if pid == 0:
            with app.app_context():
                db.engine.dispose(close=False)
            server = make_server("127.0.0.1", int(arg), app, threaded=True)
            print(f"ready {os.getpid()}", flush=True)
            server.serve_forever()
            os._exit(0)
        try:
            os.waitpid(-1, os.WNOHANG)  # reap children killed earlier
        except ChildProcessError:
            pass


if __name__ == "__main__":
    main()
