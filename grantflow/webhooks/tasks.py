"""Webhook deliveries ride the outbox's queue jobs (grantflow/core/outbox.py); importing the
transport here registers it in every process that builds the app, the worker's included."""
from grantflow.webhooks import delivery  # noqa: F401
