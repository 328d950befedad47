"""A loopback HTTP server speaking the Lambda Runtime API (2018-06-01) to one runtime process.

Only the routes a runtime client uses are served:

* ``GET  /2018-06-01/runtime/invocation/next``            (blocks until an invocation is queued)
* ``POST /2018-06-01/runtime/invocation/{id}/response``
* ``POST /2018-06-01/runtime/invocation/{id}/error``
* ``POST /2018-06-01/runtime/init/error``

The server knows nothing about LocalStack; it forwards each call to a ``RuntimeApiBackend``
(one runtime session of the executor).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

LOG = logging.getLogger(__name__)

PREFIX = "/2018-06-01/runtime"
_INVOCATION_ROUTE = re.compile(rf"^{PREFIX}/invocation/(?P<request_id>[^/]+)/(?P<kind>response|error)$")


class NextInvocation(Protocol):
    request_id: str
    payload: bytes
    deadline_epoch_ms: int
    invoked_function_arn: str
    trace_id: str | None


class RuntimeApiBackend(Protocol):
    def next_invocation(self, is_closed_check_interval: float) -> NextInvocation | None:
        """Blocks until an invocation is available; None when the session is closing."""

    def invocation_response(self, request_id: str, body: bytes) -> tuple[int, dict]:
        """Returns the HTTP status and JSON body to answer the runtime with."""

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> tuple[int, dict]:
        ...

    def init_error(self, body: bytes, error_type: str | None) -> tuple[int, dict]:
        ...

    def max_response_bytes(self) -> int:
        ...

    def response_too_large(self, request_id: str, size: int) -> None:
        ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms
    disable_nagle_algorithm = True
    server: "RuntimeApiServer"

    # the runtime's HTTP traffic is not interesting in LocalStack's log
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def _send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self, limit: int | None = None) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if limit is not None and length > limit:
            # drain without keeping it, then let the caller answer 413
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
            return None
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        backend = self.server.backend
        if self.path.rstrip("/") != f"{PREFIX}/invocation/next":
            self._send_json(404, {"errorType": "NotFound", "errorMessage": f"No route for GET {self.path}"})
            return
        invocation = backend.next_invocation(0.25)
        if invocation is None:
            # the environment is shutting down: drop the connection, the runtime gets killed anyway
            self.close_connection = True
            try:
                self._send_json(410, {"errorType": "Gone", "errorMessage": "Execution environment is shutting down"})
            except OSError:
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(invocation.payload)))
        self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_epoch_ms))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn)
        if invocation.trace_id:
            self.send_header("Lambda-Runtime-Trace-Id", invocation.trace_id)
        self.end_headers()
        self.wfile.write(invocation.payload)

    def do_POST(self) -> None:  # noqa: N802
        backend = self.server.backend
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == f"{PREFIX}/init/error":
            status, body = backend.init_error(self._read_body() or b"", error_type)
            self._send_json(status, body)
            return
        match = _INVOCATION_ROUTE.match(self.path)
        if not match:
            self._read_body()
            self._send_json(404, {"errorType": "NotFound", "errorMessage": f"No route for POST {self.path}"})
            return
        request_id, kind = match.group("request_id"), match.group("kind")
        if kind == "response":
            limit = backend.max_response_bytes()
            body = self._read_body(limit)
            if body is None:
                size = int(self.headers.get("Content-Length") or 0)
                backend.response_too_large(request_id, size)
                self._send_json(
                    413,
                    {
                        "errorType": "RequestEntityTooLarge",
                        "errorMessage": f"Exceeded maximum allowed payload size ({limit} bytes).",
                    },
                )
                return
            status, reply = backend.invocation_response(request_id, body)
        else:
            status, reply = backend.invocation_error(request_id, self._read_body() or b"", error_type)
        self._send_json(status, reply)


class RuntimeApiServer(ThreadingHTTPServer):
    """One server per runtime process, bound to an ephemeral port on 127.0.0.1."""

    daemon_threads = True
    # a runtime reconnecting quickly after a restart must not hit TIME_WAIT trouble
    allow_reuse_address = True

    def __init__(self, backend: RuntimeApiBackend, host: str = "127.0.0.1") -> None:
        self.backend = backend
        super().__init__((host, 0), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        try:
            self.shutdown()
        finally:
            self.server_close()
