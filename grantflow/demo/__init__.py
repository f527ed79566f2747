"""The deterministic demo: its data (build.py) and its commands."""
