"""Network functions: cidr_is_open, cidr_contains, cidr_prefix_len, port_in_range,
ports_in_range."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from scanner.lang.builtins.spec import Builtin
from scanner.model import UNKNOWN, Partial, Reference, Unknown
from scanner.values import EvaluationError, as_number, type_name

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=4096)  # the same few blocks recur across thousands of rules
def _parsed(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _network(text: str, name: str) -> Network:
    found = _parsed(text)
    if found is None:
        raise EvaluationError(f"{name}(): {text!r} is not an IP address or CIDR block")
    return found


def _is_open(cidr: Any) -> bool:
    """Whether ``cidr`` is a block of every address: prefix length 0, whatever the address
    part (EC2 stores ``10.0.0.0/0`` as ``0.0.0.0/0``), IPv4 or IPv6.

    A value that is not a CIDR block (other text, a number, a list) opens nothing: EC2
    refuses such a rule (``InvalidParameterValue``), so the answer is false, not an error.
    """
    if type(cidr) is not str:
        return False
    found = _parsed(cidr)
    return found is not None and found.prefixlen == 0


def _contains(cidr: str, other: str) -> bool:
    outer = _network(cidr, "cidr_contains")
    inner = _network(other, "cidr_contains")
    if outer.version != inner.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]


def _prefix_len(cidr: str) -> int:
    return _network(cidr, "cidr_prefix_len").prefixlen


def _port_in_range(low: Any, high: Any, port: Any) -> bool:
    """Whether ``port`` lies in [low, high]; -1 on either end means every port."""
    for value in (low, high, port):
        if isinstance(value, float) and not value.is_integer():
            raise EvaluationError(f"port_in_range(): {value} is not a port number")
    if low == -1 or high == -1:
        return True
    return int(low) <= int(port) <= int(high)


def _ports_in_range(low: Any, high: Any, ports: list[Any]) -> Any:
    """Whether some port of ``ports`` lies in [low, high] (``port_in_range`` of each, in
    one call: a security group rule is checked against a list of ports on every scan).
    A port that is not known makes the answer unknown unless another port is in range."""
    result: Any = False
    for port in ports:
        kind = type(port)
        if kind is Unknown or kind is Reference or kind is Partial:
            result = UNKNOWN
            continue
        number = as_number(port) if kind is not bool else None
        if number is None:
            raise EvaluationError(
                f"ports_in_range(): the list holds {type_name(port)}, not a port number"
            )
        if _port_in_range(low, high, number):
            return True
    return result


FUNCTIONS = (
    Builtin(
        "cidr_is_open", _is_open, ("any",), "bool", "a block of every address (0.0.0.0/0, ::/0)"
    ),
    Builtin(
        "cidr_contains",
        _contains,
        ("string", "string"),
        "bool",
        "whether a CIDR block contains an address or block",
    ),
    Builtin("cidr_prefix_len", _prefix_len, ("string",), "int", "the prefix length of a CIDR"),
    Builtin(
        "port_in_range",
        _port_in_range,
        ("number", "number", "number"),
        "bool",
        "whether FROM <= PORT <= TO (-1 means all ports)",
    ),
    Builtin(
        "ports_in_range",
        _ports_in_range,
        ("number", "number", "list"),
        "bool",
        "whether FROM <= PORT <= TO for some PORT of the list (-1 means all ports)",
    ),
)
