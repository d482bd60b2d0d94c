"""A small keep-alive HTTP client for the cast API: one connection per thread,
cookies set by hand (the session of a voter, the CSRF cookie the ballot sets)."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any


@dataclass
class Answer:
    status: int
    data: dict[str, Any]
    headers: dict[str, str]
    seconds: float


@dataclass
class Session:
    """One voter: their session cookie, and the CSRF cookie and token once the ballot came."""

    session_key: str
    session_cookie: str = "sessionid"
    csrf_cookie_name: str = "csrftoken"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def __post_init__(self) -> None:
        self.cookies[self.session_cookie] = self.session_key

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value


class Connection:
    """A persistent connection that reconnects once when the server closed it."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, session: Session, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        sent = {"Cookie": session.cookie_header(), "Accept": "application/json", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self._conn.request(method, path, body=body, headers=sent)
                response = self._conn.getresponse()
                raw = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            seconds = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            session.remember(response.headers.get_all("Set-Cookie") or [])
            try:
                data = json.loads(raw) if raw and raw[:1] == b"{" else {}
            except ValueError:
                data = {}
            return Answer(response.status, data, {k.lower(): v for k, v in response.getheaders()}, seconds)
        raise AssertionError("unreachable")

    def ballot(self, path: str, session: Session) -> Answer:
        answer = self.request("GET", path, session)
        if answer.status == 200:
            session.csrf_token = answer.data["csrf_token"]
        return answer

    def cast(self, path: str, session: Session, payload: dict[str, Any]) -> Answer:
        return self.request(
            "POST", path, session, body=json.dumps(payload).encode(), headers={"X-CSRFToken": session.csrf_token}
        )
