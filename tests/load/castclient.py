"""A small keep-alive HTTP/1.1 client for the cast API: one connection per thread,
cookies set by hand (the session of a voter, the CSRF cookie).

It speaks HTTP over a plain socket instead of ``http.client``: the load and
concurrency tests run the clients on the same two cores as the server, and
``http.client`` parses every header block with the ``email`` package (about a
third of a millisecond of CPU per request). Here a request is one ``sendall``
of bytes built with ``str.format`` and a response is split by hand; enough
HTTP for gunicorn's answers (Content-Length, chunked, or read to the close).
"""

from __future__ import annotations

import json
import secrets
import socket
import string
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

CSRF_ALPHABET = string.ascii_letters + string.digits  # django.middleware.csrf.CSRF_ALLOWED_CHARS


@dataclass
class Answer:
    status: int
    data: dict[str, Any]
    headers: dict[str, str]
    seconds: float
    set_cookies: list[str] = field(default_factory=list)


@dataclass
class Session:
    """One voter: their session cookie, and the CSRF cookie and token once known."""

    session_key: str
    session_cookie: str = "sessionid"
    csrf_cookie_name: str = "csrftoken"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def __post_init__(self) -> None:
        if self.session_key:
            self.cookies[self.session_cookie] = self.session_key

    def own_csrf(self) -> Session:
        """Bring a CSRF secret of our own instead of asking the ballot for one.

        Django's CsrfViewMiddleware accepts any 32-character secret of letters and
        digits in the cookie, and the same 32 characters (or a masked 64-character
        form) in the X-CSRFToken header: a browser that already holds the cookie is
        in exactly this state. The check itself still runs on every POST."""
        secret = "".join(secrets.choice(CSRF_ALPHABET) for _ in range(32))
        self.cookies[self.csrf_cookie_name] = secret
        self.csrf_token = secret
        return self

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value


class ServerClosed(ConnectionError):
    """The server closed the connection before any byte of the answer."""


class Connection:
    """A persistent connection that reconnects when the server closed it."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._host_header = f"{host}:{port}"

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._buffer = sock, b""
        return sock

    def _fill(self, sock: socket.socket) -> bool:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def _read_until(self, sock: socket.socket, marker: bytes) -> bytes:
        while True:
            at = self._buffer.find(marker)
            if at >= 0:
                head, self._buffer = self._buffer[:at], self._buffer[at + len(marker) :]
                return head
            if not self._fill(sock):
                raise ConnectionError("the server closed the connection mid-answer")

    def _read_exactly(self, sock: socket.socket, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._fill(sock):
                raise ConnectionError("the server closed the connection mid-answer")
        body, self._buffer = self._buffer[:size], self._buffer[size:]
        return body

    def _exchange(self, sock: socket.socket, request: bytes, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            sock.sendall(request)
            if not self._buffer and not self._fill(sock):
                raise ServerClosed("the server closed the connection")
        except (BrokenPipeError, ConnectionResetError) as error:
            raise ServerClosed("the server closed the connection") from error
        head = self._read_until(sock, b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = []
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        found = dict(headers)
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "content-length" in found:
            body = self._read_exactly(sock, int(found["content-length"]))
        elif found.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_until(sock, b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(sock, b"\r\n")  # no trailers from gunicorn
                    break
                parts.append(self._read_exactly(sock, size))
                self._read_exactly(sock, 2)
            body = b"".join(parts)
        else:
            while self._fill(sock):
                pass
            body, self._buffer = self._buffer, b""
            self.close()
        if found.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def request(
        self, method: str, path: str, session: Session, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self._host_header}",
            "Accept: application/json",
            f"Cookie: {session.cookie_header()}",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        for attempt in (1, 2):
            reused = self._sock is not None
            sock = self._sock or self._connect()
            started = time.perf_counter()
            try:
                status, pairs, raw = self._exchange(sock, request, method)
            except ServerClosed:
                # A kept-alive connection the server had closed (its keep-alive ran out,
                # or a sync worker): nothing was read, so sending again is safe.
                self.close()
                if attempt == 2 or not reused:
                    raise
                continue
            except OSError:
                self.close()
                raise
            seconds = time.perf_counter() - started
            set_cookies = [value for name, value in pairs if name == "set-cookie"]
            if set_cookies:
                session.remember(set_cookies)
            try:
                data = json.loads(raw) if raw[:1] == b"{" else {}
            except ValueError:
                data = {}
            return Answer(status, data, dict(pairs), seconds, set_cookies)
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
