"""Fixtures shared by the API tests: a county world with an enterprise, officers and a head; a
real SMTP server on a free local port, started when a test says so."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from tests.api.test_cases_api import world  # noqa: F401 - re-exported fixture


class SmtpServer:
    """A local SMTP server (aiosmtpd) that keeps what it receives; down until started."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.received: list = []
        received = self.received

        class Collect(Message):
            def handle_message(self, message):
                received.append(message)

        self._controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)
        self._running = False

    def start(self) -> None:
        self._controller.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()
