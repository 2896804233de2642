"""Fixtures of the AWS tests: one moto server per session, a clean state per test."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from moto_fixtures import FAKE_ENV, MotoAWS


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MotoAWS:
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=30) as answer:
        answer.read()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE_ENV, AWS_ENDPOINT_URL=moto_server)
    for key in os.environ:
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AWS_") or key == "NO_PROXY":
            monkeypatch.setenv(key, value)
    return MotoAWS(moto_server, env, tmp_path)
