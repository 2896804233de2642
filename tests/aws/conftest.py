"""Fixtures of the AWS tests: one moto server per session, a clean state per test.

moto has no IAM Access Analyzer, so a stand-in serves it (``access_analyzer_stand_in``),
reached through ``AWS_ENDPOINT_URL_ACCESSANALYZER``.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from access_analyzer_stand_in import AccessAnalyzerStandIn
from moto.server import ThreadedMotoServer
from moto_fixtures import ACCOUNT, FAKE_ENV, MotoAWS


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def access_analyzer() -> Iterator[AccessAnalyzerStandIn]:
    stand_in = AccessAnalyzerStandIn(ACCOUNT)
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def aws(
    moto_server: str,
    access_analyzer: AccessAnalyzerStandIn,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> MotoAWS:
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=30) as answer:
        answer.read()
    access_analyzer.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        FAKE_ENV,
        AWS_ENDPOINT_URL=moto_server,
        AWS_ENDPOINT_URL_ACCESSANALYZER=access_analyzer.url,
    )
    for key in os.environ:
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AWS_") or key == "NO_PROXY":
            monkeypatch.setenv(key, value)
    return MotoAWS(moto_server, env, tmp_path)
