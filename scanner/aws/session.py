"""boto3 sessions per account and one client per (account, region, service).

Every client shares one botocore ``Config``: the retry mode and attempt count, connect
and read timeouts, and a connection pool sized for the collection's worker threads.
Endpoints are boto3's own business: ``AWS_ENDPOINT_URL`` (and the per-service
``AWS_ENDPOINT_URL_<SERVICE>``) are honoured as boto3 honours them.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

from scanner import __version__

RETRY_MODES = ("standard", "adaptive")
ROLE_SESSION_NAME = "pacscan"
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)  # what sts:AssumeRole accepts


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How every AWS client of one collection behaves."""

    retry_mode: str = "standard"
    max_attempts: int = 5
    timeout: float = 30.0
    workers: int = 8

    def botocore_config(self) -> Config:
        return Config(
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            connect_timeout=self.timeout,
            read_timeout=self.timeout,
            max_pool_connections=max(10, 2 * self.workers),  # task and item threads
            user_agent_extra=f"pacscan/{__version__}",
        )


class AccountClients:
    """The clients of one account, each created once and shared by the worker threads.

    botocore clients are thread-safe once created; creating them is not, so creation
    happens under a lock.
    """

    def __init__(self, account: str, session: boto3.Session, settings: ClientSettings) -> None:
        self.account = account
        self.session = session
        self._config = settings.botocore_config()
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._partitions: dict[str, str] = {}

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self.session.client(service, region_name=region, config=self._config)
                if service == "s3control":
                    found.meta.events.register("before-sign.s3-control", keep_literal_host)
                self._clients[key] = found
            return found

    def release(self, region: str) -> None:
        """Forget the clients of ``region``; a later ``client`` call makes a new one.

        A client holds its service model and connection pool (about 0.3 MB); an account
        read in every region holds a thousand of them unless each region's are released
        once its tasks are done.
        """
        with self._lock:
            for key in [k for k in self._clients if k[1] == region]:
                del self._clients[key]

    def partition(self, region: str) -> str:
        """``aws``, ``aws-cn``, ``aws-us-gov`` … for ARNs; ``aws`` for an unknown region."""
        with self._lock:
            found = self._partitions.get(region)
            if found is None:
                try:
                    found = str(self.session.get_partition_for_region(region))
                except Exception:  # botocore knows no partition for this region name
                    found = "aws"
                self._partitions[region] = found
            return found


def keep_literal_host(request: Any, **_: Any) -> None:
    """Undo S3 Control's ``<account>.`` host prefix on an IP address or ``localhost``.

    S3 Control puts the account id in front of the endpoint's host name. For an
    endpoint given as an IP address or ``localhost`` (a local emulator), that name can
    never resolve, so the request goes to the endpoint exactly as configured.
    """
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    prefix, dot, rest = host.partition(".")
    if not (dot and prefix.isdigit() and len(prefix) == 12 and _is_literal_host(rest)):
        return
    netloc = parts.netloc.replace(host, rest, 1)
    request.url = urlunsplit(parts._replace(netloc=netloc))


def _is_literal_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def base_session(profile: str | None) -> boto3.Session:
    """The session of the caller's own credentials (a named profile or the default chain)."""
    return boto3.Session(profile_name=profile) if profile else boto3.Session()


def assumed_session(
    base: boto3.Session,
    role_arn: str,
    region: str,
    settings: ClientSettings,
    external_id: str | None = None,
) -> boto3.Session:
    """A session whose credentials come from ``sts:AssumeRole`` and renew before expiry.

    ``external_id`` goes with every ``AssumeRole``, the first and each renewal. The first
    happens here, so a role that cannot be assumed raises ``ClientError`` at once. The
    session shares the base session's loader, so each service model is read once per run
    and not once per account.
    """
    sts = base.client("sts", region_name=region, config=settings.botocore_config())
    extra = {"ExternalId": external_id} if external_id else {}

    def fetch() -> dict[str, str]:
        answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME, **extra)
        creds = answer["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method=_RoleProvider.METHOD
    )
    core = botocore.session.Session()
    core.register_component("data_loader", base._session.get_component("data_loader"))
    core.register_component("credential_provider", CredentialResolver([_RoleProvider(credentials)]))
    return boto3.Session(botocore_session=core, region_name=region)


class _RoleProvider(CredentialProvider):
    METHOD = "pacscan-assume-role"
    CANONICAL_NAME = None

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def role_arn_for(template: str, account: str) -> str:
    """``arn:aws:iam::{account}:role/Audit`` with the account id filled in."""
    return template.replace("{account}", account)
