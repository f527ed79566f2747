"""The `grantflow` command: Flask's CLI bound to this app (run, db, shell and the project's commands)."""
from flask.cli import FlaskGroup

from grantflow import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="GrantFlow: equity-centered grantmaking.").main()


if __name__ == "__main__":
    main()
