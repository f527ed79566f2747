"""Webhooks: a funder's registered endpoints, told of events through the outbox, signed in the
Standard Webhooks format."""
