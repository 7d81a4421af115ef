"""A real SMTP server on 127.0.0.1 that takes a whole message and then keeps the sender waiting
for its answer: the moment when nobody can tell whether the e-mail will be delivered."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers import SmtpSink, free_port

# How long the server keeps a message unanswered at most: longer than any test waits for it.
STALL_SECONDS = 120


class StallingSink(SmtpSink):
    """The first message is received in full (`stalled`, `received` set), then left unanswered
    until `release()`; the following ones are answered at once, like `SmtpSink`'s."""

    def __init__(self) -> None:
        super().__init__()
        self.stall_next = True
        self.stalled: list[bytes] = []
        self.received = threading.Event()
        self._released = threading.Event()
        self._accept = False

    def release(self, *, accept: bool) -> None:
        """Answer the stalled message: accepted (250, counted in `messages`) or refused (451)."""
        self._accept = accept
        self._released.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.stall_next:
            return await super().handle_DATA(server, session, envelope)
        self.stall_next = False
        self.stalled.append(envelope.original_content)
        self.received.set()
        for _ in range(STALL_SECONDS * 20):
            if self._released.is_set():
                break
            await asyncio.sleep(0.05)
        if self._accept:
            return await super().handle_DATA(server, session, envelope)
        return "451 4.3.0 Trop tard"


@contextmanager
def stalling_smtp_server() -> Iterator[tuple[StallingSink, int]]:
    """The server and its port; stopped (and a stalled message let go) on exit."""
    from aiosmtpd.controller import Controller

    sink = StallingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        sink.release(accept=False)
        controller.stop()
