"""Run a collection: resolve the accounts, then collect them one after another, each
account's (region, collector) tasks on a bounded thread pool, and hand each account's
snapshot over as soon as that account is finished (``collect_accounts``), or assemble
one snapshot of them all (``collect``).

Failures stay local: a role that cannot be assumed loses that account only, a failed
call loses that value only (see ``scanner.aws.context``), and a collector that crashes
loses that one task, each recorded as an error in the snapshot. An error that lost
resources names their types, so the scan reports them as unknown rather than gone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

import boto3
from botocore.exceptions import ProfileNotFound

from scanner.aws.account_stream import AccountSnapshot, AccountStream, Plan
from scanner.aws.cluster_tasks import ClusterOptions, WorkerSpec
from scanner.aws.context import CALL_FAILURES, Collector, describe_failure
from scanner.aws.organizations import ACCOUNT_ID, AccountSelection, Organization, select_accounts
from scanner.aws.registry import all_collectors
from scanner.aws.session import EXTERNAL_ID, ClientSettings, base_session
from scanner.aws.snapshot import merge_snapshots
from scanner.errors import UsageError

if TYPE_CHECKING:  # an audit on a cluster imports the scan; a collection does not
    from scanner.aws.cluster_scan import AccountScans, AuditedAccount

DEFAULT_REGION = "us-east-1"
ACCOUNT_FIELD = "{account}"


@dataclass(frozen=True, slots=True)
class CollectRequest:
    """What to collect and how; mirrors the options of ``pacscan collect``."""

    regions: tuple[str, ...] = ()
    all_regions: bool = False
    services: tuple[str, ...] = ()  # empty: every service
    role_arn: str | None = None  # template with {account}
    accounts: tuple[str, ...] = ()
    organization: bool = False
    units: tuple[str, ...] = ()  # organizational units (or roots) whose accounts are read
    excluded: tuple[str, ...] = ()  # accounts never read
    external_id: str | None = None  # sent with every sts:AssumeRole
    profile: str | None = None
    settings: ClientSettings = field(default_factory=ClientSettings)
    show_progress: bool = True
    debug: bool = False
    cluster: ClusterOptions | None = None  # --cluster: run on Dask distributed

    @property
    def selection(self) -> AccountSelection:
        return AccountSelection(self.accounts, self.organization, self.units, self.excluded)


def collect(
    request: CollectRequest,
    *,
    session: boto3.Session | None = None,
    progress_stream: TextIO | None = None,
) -> dict[str, Any]:
    """Collect and return one snapshot of every account (a JSON-ready dict).

    Only the accounts' resources are held to the end: each account's clients are
    released when it is finished (see ``collect_accounts``).
    """
    started = datetime.now(timezone.utc)
    services = sorted({c.service for c in select_collectors(request.services)})
    parts = collect_accounts(request, session=session, progress_stream=progress_stream)
    return merge_snapshots(list(parts), services=services, started=started)


def collect_accounts(
    request: CollectRequest,
    *,
    session: boto3.Session | None = None,
    progress_stream: TextIO | None = None,
) -> Iterator[AccountSnapshot]:
    """Each account's snapshot, as soon as that account is finished.

    The options are checked and the accounts resolved (``UsageError``) before the first
    account is collected. Accounts are collected in turn, at most two at once (the next
    one starts while the last tasks of the current one run), and nothing of an account
    is kept once it has been handed over: the caller decides what to hold. Accounts that
    yielded only errors (a role that could not be assumed; the caller's account, for a
    failed Organizations call) are handed over too, with ``collected`` False. Closing
    the iterator early cancels the tasks that have not started.
    """
    if request.cluster is not None:
        collect_on_cluster = _cluster_runner()  # before any AWS call
    plan = plan_collection(request, session)
    if request.cluster is not None:
        yield from collect_on_cluster(
            plan,
            worker_spec(request, plan),
            request.cluster,
            show_progress=request.show_progress,
            stream=progress_stream or sys.stderr,
        )
        return
    yield from AccountStream(plan, request.show_progress, request.debug, progress_stream).run()


def audit_on_cluster(
    request: CollectRequest,
    scans: AccountScans,
    *,
    session: boto3.Session | None = None,
    progress_stream: TextIO | None = None,
) -> Iterator[AuditedAccount]:
    """``collect_accounts`` on ``request.cluster`` for ``pacscan audit``: each account is
    scanned and reported on the cluster too, and handed over with its reports' text
    (``scanner.aws.cluster_audit``)."""
    if request.cluster is None:
        raise ValueError("audit_on_cluster needs request.cluster")
    run_audit = _cluster_runner(audit=True)  # before any AWS call
    plan = plan_collection(request, session)
    yield from run_audit(
        plan,
        worker_spec(request, plan),
        request.cluster,
        scans,
        show_progress=request.show_progress,
        stream=progress_stream or sys.stderr,
    )


def _cluster_runner(*, audit: bool = False) -> Any:
    """``collect_on_cluster`` (or ``audit_on_cluster``) of ``scanner.aws``; a usage error
    without Dask installed."""
    try:
        if audit:
            from scanner.aws.cluster_audit import audit_on_cluster

            return audit_on_cluster
        from scanner.aws.cluster import collect_on_cluster
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("dask", "distributed"):
            raise
        raise UsageError(
            "--cluster needs Dask distributed, which is not installed",
            code="DASK-EXTRA",
            hint="install the dask extra: pip install 'pacscan[dask]'",
        ) from exc
    return collect_on_cluster


def worker_spec(request: CollectRequest, plan: Plan) -> WorkerSpec:
    """What each worker needs to reach the accounts itself: names, never credentials."""
    return WorkerSpec(
        home=plan.home,
        regions=None if plan.all_regions else plan.regions,
        collectors=tuple(c.name for c in plan.collectors),
        settings=plan.settings,
        role_arn=plan.role_arn,
        external_id=plan.external_id,
        profile=request.profile,
    )


def plan_collection(request: CollectRequest, session: boto3.Session | None) -> Plan:
    """Check the options, then find the caller and the accounts to collect."""
    if request.all_regions and request.regions:
        raise UsageError("use --region or --all-regions, not both")
    selection = request.selection
    selection.check()
    _check_role_options(request)
    collectors = select_collectors(request.services)
    base = session if session is not None else _base_session(request.profile)
    home = _home_region(request, base)
    settings = request.settings
    caller = _caller_account(base, home, settings)
    errors: list[dict[str, Any]] = []
    organization = None
    if selection.organization or selection.units:
        client = base.client("organizations", region_name=home, config=settings.botocore_config())
        organization = Organization(client, caller, errors)
    accounts = select_accounts(selection, organization) if selection.named else [caller]
    if not request.role_arn and any(a != caller for a in accounts):
        raise UsageError("--account and --organization need --role-arn to reach other accounts")
    if request.role_arn and len(accounts) > 1 and ACCOUNT_FIELD not in request.role_arn:
        raise UsageError("--role-arn must contain {account} when several accounts are collected")
    return Plan(
        base=base,
        home=home,
        collectors=tuple(collectors),
        accounts=tuple(accounts),
        role_arn=request.role_arn,
        external_id=request.external_id,
        all_regions=request.all_regions,
        regions=tuple(dict.fromkeys(request.regions or (home,))),
        settings=settings,
        setup_errors=tuple(errors),
    )


def _check_role_options(request: CollectRequest) -> None:
    """What can be told wrong before any AWS call."""
    selection = request.selection
    if (selection.organization or selection.units) and not request.role_arn:
        raise UsageError("--organization and --ou need --role-arn to reach the accounts")
    several = selection.organization or selection.units or len(set(selection.accounts)) > 1
    if request.role_arn and several and ACCOUNT_FIELD not in request.role_arn:
        raise UsageError("--role-arn must contain {account} when several accounts are collected")
    if request.external_id is not None:
        if not request.role_arn:
            raise UsageError("--external-id needs --role-arn")
        if not EXTERNAL_ID.match(request.external_id):
            raise UsageError(
                "--external-id must be 2 to 1224 characters of letters, digits and +=,.@:/_-"
            )


def select_collectors(services: tuple[str, ...]) -> list[Collector]:
    collectors = all_collectors()
    known = sorted({c.service for c in collectors})
    unknown = [s for s in services if s not in known]
    if unknown:
        raise UsageError(
            f"unknown service {unknown[0]!r} for --service",
            hint="choose from: " + ", ".join(known),
        )
    return [c for c in collectors if not services or c.service in services]


def _base_session(profile: str | None) -> boto3.Session:
    try:
        return base_session(profile)
    except ProfileNotFound as exc:
        raise UsageError(f"AWS profile {profile!r} is not configured") from exc


def _home_region(request: CollectRequest, base: boto3.Session) -> str:
    if request.regions:
        return request.regions[0]
    if base.region_name:
        return str(base.region_name)
    if request.all_regions:
        return DEFAULT_REGION
    raise UsageError(
        "no region to collect from",
        hint="pass --region (repeatable) or --all-regions, or set AWS_DEFAULT_REGION",
    )


def _caller_account(base: boto3.Session, home: str, settings: ClientSettings) -> str:
    try:
        sts = base.client("sts", region_name=home, config=settings.botocore_config())
        caller = str(sts.get_caller_identity()["Account"])
    except CALL_FAILURES as exc:
        code, message = describe_failure(exc)
        raise UsageError(
            f"cannot identify the AWS caller: {message}",
            code=f"AWS-{code.upper()}",
            hint="configure credentials (--profile, AWS_PROFILE or AWS_ACCESS_KEY_ID)",
        ) from exc
    if not ACCOUNT_ID.match(caller):  # it names files and ARNs
        raise UsageError(f"sts:GetCallerIdentity answered an invalid account id {caller!r}")
    return caller
