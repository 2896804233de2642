"""IAM Access Analyzer for the tests: moto has no backend for it (it answers 500).

A small HTTP server that speaks the two calls the tests need, ``ListAnalyzers`` and
``CreateAnalyzer`` (REST JSON), keeping analyzers per region (read from the request's
SigV4 credential scope). The test fixtures point boto3 at it with
``AWS_ENDPOINT_URL_ACCESSANALYZER``, the per-service endpoint variable boto3 documents,
so ``pacscan`` itself runs unchanged: a collection in the tests sees a region without
analyzers, not a failed call.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/access-analyzer/")


class AccessAnalyzerStandIn:
    """Analyzers by region; ``reset()`` between tests."""

    def __init__(self, account: str) -> None:
        self.account = account
        self.analyzers: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def reset(self) -> None:
        with self.lock:
            self.analyzers.clear()

    def create(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        name = str(body.get("analyzerName"))
        arn = f"arn:aws:access-analyzer:{region}:{self.account}:analyzer/{name}"
        analyzer = {"arn": arn, "name": name, "type": body.get("type"), "status": "ACTIVE",
                    "createdAt": "2024-05-01T00:00:00Z"}  # fmt: skip
        with self.lock:
            self.analyzers.setdefault(region, []).append(analyzer)
        return {"arn": arn}

    def listed(self, region: str) -> dict[str, Any]:
        with self.lock:
            return {"analyzers": list(self.analyzers.get(region, []))}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _answer(self, status: int, data: dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _region(self) -> str:
                found = SCOPE.search(self.headers.get("Authorization") or "")
                return found.group(1) if found else "us-east-1"

            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/analyzer":
                    return self._answer(404, {"message": f"no such call: GET {self.path}"})
                return self._answer(200, stand_in.listed(self._region()))

            def do_PUT(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                if self.path.split("?")[0] != "/analyzer":
                    return self._answer(404, {"message": f"no such call: PUT {self.path}"})
                return self._answer(200, stand_in.create(self._region(), body))

        return Handler
