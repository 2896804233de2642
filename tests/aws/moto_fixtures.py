"""Helpers of the AWS tests: the moto server handle, running the installed pacscan.

One ``ThreadedMotoServer`` on 127.0.0.1 (a free port) serves the whole session; every
test starts from an empty state (``POST /moto-api/reset``) with fake credentials and
``AWS_ENDPOINT_URL`` pointing at it, both in this process (for boto3 calls that set
up resources) and in the ``pacscan`` subprocesses.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse

from scanner.aws.session import keep_literal_host
from scanner.loaders.snapshot import schema_validator

ACCOUNT = "123456789012"
REGION = "us-east-1"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
}


def pacscan_command() -> list[str]:
    """The installed ``pacscan`` script beside this interpreter."""
    script = Path(sys.executable).parent / "pacscan"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from scanner.cli import main; sys.exit(main())"]


@dataclass
class MotoAWS:
    """The running moto server, as the tests use it."""

    url: str
    env: dict[str, str]
    tmp: Path

    def client(self, service: str, region: str = REGION, **kw: Any) -> Any:
        client = boto3.client(service, region_name=region, **kw)
        if service == "s3control":  # the account-id host prefix cannot resolve on 127.0.0.1
            client.meta.events.register("before-sign.s3-control", keep_literal_host)
        return client

    def pacscan(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pacscan_command(), *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            cwd=self.tmp,
        )

    def collect(
        self, *args: str, env: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
        """Run ``pacscan collect --quiet`` and return the snapshot it wrote."""
        out = self.tmp / "snapshot.json"
        done = self.pacscan("collect", "--quiet", "-o", str(out), *args, env=env)
        assert done.returncode in (0, 3), done.stderr
        snapshot = json.loads(out.read_text())
        schema_validator().validate(snapshot)
        return snapshot, done


def resources_of(snapshot: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """The snapshot's resources of one type, by name."""
    return {r["name"]: r for r in snapshot["resources"] if r["type"] == type_}


class Body:
    """A raw HTTP body botocore can read (``stream()``)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def reply(status: int, body: str, content_type: str = "text/xml") -> Callable[..., AWSResponse]:
    """A ``before-send`` hook answering with ``status`` and ``body``; counts its calls."""

    def hook(request: Any, **_: Any) -> AWSResponse:
        hook.calls += 1  # type: ignore[attr-defined]
        return AWSResponse(request.url, status, {"Content-Type": content_type}, Body(body.encode()))

    hook.calls = 0  # type: ignore[attr-defined]
    return hook


Rule = Callable[[str, str, bytes], "tuple[int, bytes] | None"]


class FaultProxy:
    """An HTTP proxy in front of moto that answers some requests itself.

    ``rule(method, path_and_query, body)`` returns ``(status, body)`` to answer with, or
    None to forward the request to moto unchanged. Lets a ``pacscan`` subprocess meet a
    denied or throttled call over real HTTP (``body`` names the action of query APIs
    such as EC2's: ``Action=DescribeSecurityGroups&...``).
    """

    def __init__(self, target: str, rule: Rule) -> None:
        self.target = urlsplit(target)
        self.rule = rule
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _any(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size) if size else b""
                answer = proxy.rule(self.command, self.path, body)
                if answer is None:
                    answer = proxy.forward(self.command, self.path, dict(self.headers), body)
                status, data = answer
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        return Handler

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()
