"""A real SMTP server (aiosmtpd) started by the tests, and mail read back from it.

The organisations and people are SYNTHETIC (tests/responses/conftest.py)."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from iocompendium.notifications.email_url import parse_email_url
from tests.responses.conftest import _fast_password_hashing  # noqa: F401


@dataclass
class Received:
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(make_header(decode_header(self.message["Subject"])))

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        return payload.decode(self.message.get_content_charset() or "utf-8")


@dataclass
class Collector:
    """An aiosmtpd handler keeping every message; ``refuse`` makes it answer 451."""

    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Start a local SMTP server and point EMAIL_URL's settings at it."""
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in parse_email_url(f"smtp://127.0.0.1:{port}",
                                       default_outbox=settings.EMAIL_FILE_PATH).items():
        setattr(settings, name, value)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IOCOMPENDIUM_BASE_URL = "http://testserver"
    try:
        yield collector
    finally:
        controller.stop()
