"""Kubernetes' CEL object types ``url()``, ``quantity()``, ``ip()`` and ``cidr()``, with kube's member functions.

The C++ runtime cannot return a Python object to CEL, but it can return a protobuf message of a type in the
environment's descriptor pool, and it passes such a message back to the member functions declared on it. Each
Kubernetes type is therefore a one-field message (``gitplane.cel.Quantity{text}`` ...) built here at import:

    quantity('1Gi') --Python impl--> Quantity{text:"1Gi"} --.isGreaterThan(q)--> parse both, compare --> bool

The text is the canonical string (a quantity's ``String()``, a URL as written, an address in canonical form, so
that equal addresses compare equal and ``string(ip(...))`` prints as kube does); every method parses it again,
which is cheap next to the call into CEL. Quantities use ``gitplane.api.quantity`` (exact, kube's rules); URLs
follow Go's ``url.ParseRequestURI`` (absolute URI or absolute path); addresses use ``ipaddress`` with kube's
restrictions (no zone, no IPv4-mapped IPv6, no leading zeros).
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from cel_expr_python import cel  # type: ignore[import-untyped]
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from gitplane.api import quantity as quantities

PACKAGE = "gitplane.cel"
T = cel.Type


def _pool() -> tuple[Any, dict[str, Any]]:
    fdp = descriptor_pb2.FileDescriptorProto(name="gitplane_cel_kube_types.proto", package=PACKAGE,
                                             syntax="proto3")
    for name in ("URL", "Quantity", "IP", "CIDR"):
        message = fdp.message_type.add(name=name)
        message.field.add(name="text", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                          label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    classes = {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))
               for name in ("URL", "Quantity", "IP", "CIDR")}
    return pool, classes


POOL, _CLASSES = _pool()
URL_T = T(f"{PACKAGE}.URL")
QUANTITY_T = T(f"{PACKAGE}.Quantity")
IP_T = T(f"{PACKAGE}.IP")
CIDR_T = T(f"{PACKAGE}.CIDR")


class KubeTypeError(ValueError):
    """A conversion that kube refuses; the message is kube's."""


# --- url ---------------------------------------------------------------------------------------------------

def _parse_url(text: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(text)
    if not parts.scheme and not text.startswith("/"):
        raise KubeTypeError(f"URL parse error during conversion from string: parse {text!r}: invalid URI for request")
    if any(ord(c) < 0x20 or (c == " " and not parts.scheme) for c in text):
        raise KubeTypeError(f"URL parse error during conversion from string: parse {text!r}: invalid character")
    return parts


def _url(text: str) -> Any:
    _parse_url(text)
    return _CLASSES["URL"](text=text)


def _is_url(text: str) -> bool:
    try:
        _parse_url(text)
    except (KubeTypeError, ValueError):
        return False
    return True


def _hostname(parts: urllib.parse.SplitResult) -> str:
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[1:host.index("]")] if "]" in host else host
    return host.partition(":")[0]


def _port(parts: urllib.parse.SplitResult) -> str:
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        rest = host[host.index("]") + 1:] if "]" in host else ""
        return rest[1:] if rest.startswith(":") else ""
    return host.partition(":")[2]


def _query(parts: urllib.parse.SplitResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


# --- quantity ------------------------------------------------------------------------------------------------

def _q(message: Any) -> quantities.Quantity:
    return quantities.Quantity.parse(message.text)


def _quantity(text: str) -> Any:
    try:
        return _CLASSES["Quantity"](text=str(quantities.Quantity.parse(text)))
    except quantities.QuantityError as exc:
        raise KubeTypeError(str(exc)) from None


def _is_quantity(text: str) -> bool:
    try:
        quantities.Quantity.parse(text)
    except quantities.QuantityError:
        return False
    return True


def _from_exact(amount: Fraction, fmt: str) -> Any:
    scale = 0
    while amount.denominator != 1:
        amount *= 10
        scale -= 1
    unscaled = amount.numerator
    while unscaled and unscaled % 10 == 0 and scale < 0:
        unscaled //= 10
        scale += 1
    return _CLASSES["Quantity"](text=str(quantities.Quantity(unscaled, scale, fmt)))


def _add(a: Any, b: Any) -> Any:
    left = _q(a)
    right = Fraction(b) if isinstance(b, int) else _q(b).exact
    return _from_exact(left.exact + right, left.format)


def _sub(a: Any, b: Any) -> Any:
    left = _q(a)
    right = Fraction(b) if isinstance(b, int) else _q(b).exact
    return _from_exact(left.exact - right, left.format)


def _as_integer(a: Any) -> int:
    value = _q(a).exact
    if value.denominator != 1 or not -(2**63) <= value.numerator < 2**63:
        raise KubeTypeError("cannot convert value to integer")
    return int(value)


# --- ip / cidr -------------------------------------------------------------------------------------------------

def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if "%" in text:
        raise KubeTypeError(f"IP Address {text!r} with zone value is not allowed")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as exc:
        raise KubeTypeError(f"IP Address {text!r} parse error during conversion from string: {exc}") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise KubeTypeError(f"IPv4-mapped IPv6 address {text!r} is not allowed")
    return address


def _parse_cidr(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    address, _, prefix = text.partition("/")
    _parse_ip(address)
    if not prefix.isdigit():
        raise KubeTypeError(f"network address {text!r} parse error during conversion from string: "
                            f"netip.ParsePrefix({text!r}): bad bits after slash")
    try:
        return ipaddress.ip_interface(text)
    except ValueError as exc:
        raise KubeTypeError(f"network address {text!r} parse error during conversion from string: {exc}") from None


def _ip(text: str) -> Any:
    return _CLASSES["IP"](text=str(_parse_ip(text)))  # canonical, so that equal addresses are equal messages


def _cidr(text: str) -> Any:
    return _CLASSES["CIDR"](text=str(_parse_cidr(text)))


def _valid(parser: Callable[[str], Any]) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            parser(text)
        except KubeTypeError:
            return False
        return True
    return check


def _contains_ip(c: Any, address: Any) -> bool:
    network = _parse_cidr(c.text).network
    candidate = _parse_ip(address if isinstance(address, str) else address.text)
    return candidate.version == network.version and candidate in network


def _contains_cidr(c: Any, other: Any) -> bool:
    network = _parse_cidr(c.text).network
    inner = _parse_cidr(other if isinstance(other, str) else other.text).network
    return inner.version == network.version and inner.subnet_of(network)  # type: ignore[arg-type]


def _masked(c: Any) -> Any:
    return _CLASSES["CIDR"](text=str(_parse_cidr(c.text).network))


def _global_unicast(i: Any) -> bool:
    address = _parse_ip(i.text)
    if isinstance(address, ipaddress.IPv4Address) and address == ipaddress.IPv4Address("255.255.255.255"):
        return False
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local)


def _overload(name: str, returns: Any, params: list[Any], impl: Callable[..., Any], member: bool) -> Any:
    signature = "_".join(p.name().replace(".", "_") for p in params)
    return cel.Overload(f"gitplane_{name}_{signature}", returns, params, is_member=member, impl=impl)


def declarations() -> list[Any]:
    """The function declarations of the four types, each with its Python implementation."""
    S, B, N, D = T.STRING, T.BOOL, T.INT, T.DOUBLE
    member: list[tuple[str, Any, list[Any], Callable[..., Any]]] = [
        ("getScheme", S, [URL_T], lambda u: _parse_url(u.text).scheme),
        ("getHost", S, [URL_T], lambda u: _parse_url(u.text).netloc.rpartition("@")[2]),
        ("getHostname", S, [URL_T], lambda u: _hostname(_parse_url(u.text))),
        ("getPort", S, [URL_T], lambda u: _port(_parse_url(u.text))),
        ("getEscapedPath", S, [URL_T], lambda u: urllib.parse.quote(urllib.parse.unquote(_parse_url(u.text).path),
                                                                     safe="/:@!$&'()*+,;=-._~")),
        ("getQuery", T.Map(S, T.List(S)), [URL_T], lambda u: _query(_parse_url(u.text))),
        ("isInteger", B, [QUANTITY_T], lambda q: _q(q).exact.denominator == 1 and -(2**63) <= _q(q).exact < 2**63),
        ("asInteger", N, [QUANTITY_T], _as_integer),
        ("asApproximateFloat", D, [QUANTITY_T], lambda q: float(_q(q).exact)),
        ("sign", N, [QUANTITY_T], lambda q: _q(q).sign()),
        ("add", QUANTITY_T, [QUANTITY_T, QUANTITY_T], _add),
        ("add", QUANTITY_T, [QUANTITY_T, N], _add),
        ("sub", QUANTITY_T, [QUANTITY_T, QUANTITY_T], _sub),
        ("sub", QUANTITY_T, [QUANTITY_T, N], _sub),
        ("isGreaterThan", B, [QUANTITY_T, QUANTITY_T], lambda a, b: _q(a).compare(_q(b)) > 0),
        ("isLessThan", B, [QUANTITY_T, QUANTITY_T], lambda a, b: _q(a).compare(_q(b)) < 0),
        ("compareTo", N, [QUANTITY_T, QUANTITY_T], lambda a, b: _q(a).compare(_q(b))),
        ("family", N, [IP_T], lambda i: _parse_ip(i.text).version),
        ("isUnspecified", B, [IP_T], lambda i: _parse_ip(i.text).is_unspecified),
        ("isLoopback", B, [IP_T], lambda i: _parse_ip(i.text).is_loopback),
        ("isLinkLocalMulticast", B, [IP_T], lambda i: _parse_ip(i.text) in (
            ipaddress.ip_network("224.0.0.0/24") if _parse_ip(i.text).version == 4
            else ipaddress.ip_network("ff02::/16"))),
        ("isLinkLocalUnicast", B, [IP_T], lambda i: _parse_ip(i.text).is_link_local
         and not _parse_ip(i.text).is_multicast),
        ("isGlobalUnicast", B, [IP_T], _global_unicast),
        ("containsIP", B, [CIDR_T, IP_T], _contains_ip),
        ("containsIP", B, [CIDR_T, S], _contains_ip),
        ("containsCIDR", B, [CIDR_T, CIDR_T], _contains_cidr),
        ("containsCIDR", B, [CIDR_T, S], _contains_cidr),
        ("ip", IP_T, [CIDR_T], lambda c: _CLASSES["IP"](text=str(_parse_cidr(c.text).ip))),
        ("masked", CIDR_T, [CIDR_T], _masked),
        ("prefixLength", N, [CIDR_T], lambda c: _parse_cidr(c.text).network.prefixlen),
    ]
    globals_: list[tuple[str, Any, list[Any], Callable[..., Any]]] = [
        ("url", URL_T, [S], _url), ("isURL", B, [S], _is_url),
        ("quantity", QUANTITY_T, [S], _quantity), ("isQuantity", B, [S], _is_quantity),
        ("ip", IP_T, [S], _ip), ("isIP", B, [S], _valid(_parse_ip)),
        ("ip.isCanonical", B, [S], lambda s: str(_parse_ip(s)) == s),
        ("cidr", CIDR_T, [S], _cidr), ("isCIDR", B, [S], _valid(_parse_cidr)),
        # string(cidr) cannot be added: the runtime dispatches every custom type as "a message", so a second
        # one-argument overload of string() on another message type collides with this one.
        ("string", S, [IP_T], lambda i: i.text),
    ]
    by_name: dict[str, list[Any]] = {}
    for name, returns, params, impl in member:
        by_name.setdefault(name, []).append(_overload(name, returns, params, impl, True))
    for name, returns, params, impl in globals_:
        by_name.setdefault(name, []).append(_overload(name, returns, params, impl, False))
    return [cel.FunctionDecl(name, overloads) for name, overloads in by_name.items()]
