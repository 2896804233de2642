"""``--cluster`` with a bad address, and what a worker runs and is sent: fast checks that
start no cluster (without Dask: tests/packaging/test_dask_extra.py).
"""

from __future__ import annotations

import pickle

import pytest
from click.testing import CliRunner
from moto_fixtures import FaultProxy, MotoAWS
from test_organization_accounts import ROLE, ExternalIdCheck, session_in

from scanner.aws.cluster_tasks import WorkerSpec, collect_unit, open_account, units
from scanner.aws.context import GLOBAL
from scanner.aws.session import ClientSettings
from scanner.cli import cli
from scanner.errors import UsageError

OTHER = "111111111111"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "scheduler:8786"], "--cluster expects 'local' or a scheduler address"),
        (["--cluster-workers", "2"], "--cluster-workers needs --cluster local"),
        (["--cluster", "tcp://h:8786", "--cluster-workers", "2"], "sizes a --cluster local only"),
    ],
)
def test_bad_cluster_options_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["collect", "--region", "us-east-1", *args])
    assert isinstance(result.exception, UsageError)  # exit 2 through scanner.cli.main
    assert message in str(result.exception)


def spec(**kw: object) -> WorkerSpec:
    values: dict[str, object] = {
        "home": "us-east-1",
        "regions": ("us-east-1", "eu-west-1"),
        "collectors": ("s3.buckets", "s3.account", "kms.keys"),
        "settings": ClientSettings(),
        "role_arn": ROLE,
    }
    values.update(kw)
    return WorkerSpec(**values)  # type: ignore[arg-type]


def test_a_worker_is_sent_no_credential(aws: MotoAWS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-key-of-the-client")
    sent = pickle.dumps(spec(external_id="nightly:7", profile=None))
    assert b"very-secret-key-of-the-client" not in sent
    assert b"testing" not in sent  # the access key id of the fake credentials


def test_units_are_the_global_ones_then_the_home_region_first() -> None:
    found = units(spec(), ("eu-west-1", "us-east-1"))
    assert found == [
        (GLOBAL, "s3"),
        ("us-east-1", "kms"),
        ("us-east-1", "s3"),
        ("eu-west-1", "kms"),
        ("eu-west-1", "s3"),
    ]


def test_a_worker_assumes_the_role_and_collects_one_unit(aws: MotoAWS) -> None:
    session_in(OTHER).client("s3").create_bucket(Bucket="worker-bucket")
    opened = open_account(spec(), OTHER)
    assert opened.readable and opened.regions == ("us-east-1", "eu-west-1")
    unit = collect_unit(spec(), OTHER, "us-east-1", "s3")
    assert [r["id"] for r in unit.resources] == ["arn:aws:s3:::worker-bucket"]
    assert unit.errors == ()


def test_the_worker_sends_the_external_id_and_a_refused_role_loses_the_account(
    aws: MotoAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = ExternalIdCheck("nightly:7")
    with FaultProxy(aws.url, check) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", proxy.url)
        assert open_account(spec(external_id="nightly:7"), "333333333333").readable
        opened = open_account(spec(external_id="other:1"), "444444444444")
    assert [form.get("ExternalId") for form in check.seen] == [["nightly:7"], ["other:1"]]
    assert not opened.readable
    [error] = opened.errors
    assert (error["service"], error["operation"]) == ("sts", "AssumeRole")
    assert "AWS::S3::Bucket" in error["types"]
