"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the outbox tests."""
from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler: each accepted message, parsed; ``hold`` delays the reply to DATA (the
    message is already received) so a sender can be killed while it waits for the answer."""

    def __init__(self):
        self.messages: list[Message] = []
        self.hold = 0.0
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content))
        if self.hold:
            import asyncio

            await asyncio.sleep(self.hold)
        return "250 OK"

    def wait_for(self, n: int, timeout: float = 10) -> list[Message]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.messages) < n:
            time.sleep(0.02)
        return list(self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox
