"""What tests use besides data: the API client, a real SMTP server's sink, small assertions."""

import datetime as dt
import socket
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client as HttpClient

# The day `frozen_today` stops the clock on.
TODAY = dt.date(2026, 11, 28)
PARIS = ZoneInfo("Europe/Paris")


class ApiClient:
    """JSON in, JSON out, paths under /api/v1, with the token (if any) in the Authorization header."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = HttpClient(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.http.get(f"/api/v1{path}", params or {})

    def post(self, path: str, data: Any = None) -> Any:
        return self.http.post(f"/api/v1{path}", data if data is not None else {}, content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.http.patch(f"/api/v1{path}", data, content_type="application/json")

    def put(self, path: str, data: Any) -> Any:
        return self.http.put(f"/api/v1{path}", data, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.http.delete(f"/api/v1{path}")


def errors_at(response: Any, field: str) -> list[str]:
    """The French messages a 422 gives for one body field."""
    assert response.status_code == 422, response.content
    return [error["msg"] for error in response.json()["detail"] if error["loc"] == ["body", field]]


def login_url(path: str) -> str:
    """Where an anonymous visitor of `path` is sent."""
    return f"{resolve_url(settings.LOGIN_URL)}?next={quote(path)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """Collects what a real aiosmtpd server on 127.0.0.1 received, or refuses as told:

    `refuse` answers DATA with that reply (the first `refuse_count` messages only, when set),
    `refuse_recipients` answers RCPT for those
    addresses, `refuse_hello` answers EHLO and HELO, `hang_up` closes the connection at EHLO.
    """

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refuse: str | None = None
        self.refuse_count: int | None = None
        self.refuse_recipients: dict[str, str] = {}
        self.refuse_hello: str | None = None
        self.hang_up = False

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if self.hang_up:
            server.transport.close()
            return []
        if self.refuse_hello:
            return [self.refuse_hello]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        if self.refuse_hello:
            return self.refuse_hello
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse_recipients:
            return self.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse and self.refuse_count != 0:
            if self.refuse_count is not None:
                self.refuse_count -= 1
            return self.refuse
        self.messages.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.original_content}
        )
        return "250 Message accepted for delivery"
