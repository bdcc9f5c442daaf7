"""One policy for every URL the platform calls on a user's behalf: webhook deliveries,
`api_call` steps and their compensations, and any integration added later.

Refused: loopback, private, link-local (the cloud metadata address among them), multicast,
unspecified, shared (100.64/10), reserved and otherwise non-public addresses, in every
spelling the resolver accepts (127.1, 0x7f.1, 0177.0.0.1, 2130706433, ::ffff:127.0.0.1,
6to4/Teredo/NAT64 wrappers of those); URLs with a user name or password; plain http where
the platform requires https (production, unless the operator allows it). An operator lets
receivers inside their network through with an allow-list of host names, addresses and
networks (`WFM_OUTGOING_ALLOWED_HOSTS`).

This module is pure: it judges a URL as written (when a subscription or template is saved)
and an address once resolved. The call itself resolves the host, judges every address and
connects to a judged one (`wfm_integrations.outgoing`)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

if TYPE_CHECKING:
    from wfm_shared.settings import Settings

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

_SHARED = ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_PRIVATE = tuple(
    ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_METADATA = ip_address("169.254.169.254")
_IPV4_COMPATIBLE = ip_network("::/96")
_NAT64 = tuple(ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48"))
# names every resolver answers with this machine (RFC 6761, and Debian's /etc/hosts)
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_IPV4_LITERAL = re.compile(r"^[0-9a-fx.]+$")
_HOST_NAME = re.compile(
    r"^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$"
)


def ip_literal(host: str) -> IPAddress | None:
    """The address a host names literally, read as the resolver reads it (so `127.1`,
    `0x7f.1`, `0177.0.0.1` and `2130706433` are all 127.0.0.1), or None for a name."""
    host = host.strip("[]").rstrip(".").lower()
    if ":" in host:
        try:
            return ip_address(host)
        except ValueError:
            return None
    if not _IPV4_LITERAL.match(host):
        return None
    try:
        # inet_aton accepts the legacy forms getaddrinfo accepts; no hand-written parser
        return IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str | None:
    """What makes `address` unfit to be called ("a loopback address"), None if public."""
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_kind(embedded)
        if address in _IPV4_COMPATIBLE:
            return "an IPv4-compatible IPv6 address"
        if address.is_site_local:
            return "a site-local address"
    if address == _METADATA:
        return "the cloud metadata address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if any(address in network for network in _PRIVATE):
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


def parse_allowed_host(entry: str) -> str | IPNetwork:
    """An allow-list entry: a network (`10.1.0.0/16`; an address is a network of one), or a
    host name (`hooks.corp.example`; `*.corp.example` for every name under it)."""
    try:
        return ip_network(entry.strip(), strict=False)
    except ValueError:
        pass
    name = entry.strip().lower().rstrip(".")
    if not _HOST_NAME.match(name):
        raise ValueError(f"{entry!r} is neither a host name, an address nor a network")
    return name


@dataclass(frozen=True)
class OutgoingUrlPolicy:
    https_only: bool = False
    allowed_names: tuple[str, ...] = ()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def with_allowed(cls, entries: Iterable[str], *, https_only: bool) -> OutgoingUrlPolicy:
        parsed = [parse_allowed_host(entry) for entry in entries]
        return cls(
            https_only=https_only,
            allowed_names=tuple(p for p in parsed if isinstance(p, str)),
            allowed_networks=tuple(p for p in parsed if not isinstance(p, str)),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OutgoingUrlPolicy:
        return cls.with_allowed(
            settings.outgoing_allowed_hosts, https_only=not settings.outgoing_http_permitted
        )

    # -- as written ------------------------------------------------------------------------

    def url_problem(self, url: str) -> str | None:
        """Why `url` may not be saved (a field message: "points to a private address
        (10.0.0.5)"), or None. Names are not resolved here: the call checks what they
        resolve to then, which is the answer that counts (DNS may change in between)."""
        parts, problem = self._split(url)
        if problem or parts is None:
            return problem
        host = (parts.hostname or "").rstrip(".")
        if self.name_allowed(host):
            return None
        address = ip_literal(host)
        refusal = self.address_refusal(address) if address is not None else None
        if refusal:
            return f"points to {refusal}"
        if host in _LOCAL_NAMES or host.endswith(".localhost"):
            return f"names this machine ({host})"
        return None

    def form_problem(self, url: str) -> str | None:
        """What the URL's form alone rules out (scheme, credentials, host syntax): checked
        again on every call, before the host is resolved."""
        return self._split(url)[1]

    def _split(self, url: str) -> tuple[SplitResult | None, str | None]:
        if any(c.isspace() or ord(c) < 0x20 or c in "\x7f\\" for c in url):
            return None, "must not contain spaces, control characters or backslashes"
        if not re.match(r"^https?://", url, re.IGNORECASE):
            return None, "must be an http:// or https:// URL"
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port out of range
        except ValueError:
            return None, "is not a valid URL"
        if not parts.hostname:
            return None, "must name a host"
        if self.https_only and parts.scheme.lower() != "https":
            return None, "must be an https:// URL (plain http is not allowed here)"
        if "@" in parts.netloc:
            return None, "must not carry a user name or password"
        host = parts.hostname
        if "%" in host:
            return None, "must not percent-encode its host"
        if ":" in host and ip_literal(host) is None:
            return None, "is not a valid URL"
        return parts, None

    # -- resolved --------------------------------------------------------------------------

    def name_allowed(self, host: str) -> bool:
        """The operator allowed this host name whatever it resolves to."""
        name = host.lower().rstrip(".")
        return any(
            name == allowed or (allowed.startswith("*.") and name.endswith(allowed[1:]))
            for allowed in self.allowed_names
        )

    def address_refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be called ("a loopback address (127.0.0.1)"), or None."""
        if any(address in network for network in self.allowed_networks):
            return None
        kind = address_kind(address)
        if kind is None:
            return None
        embedded = _embedded_ipv4(address) if isinstance(address, IPv6Address) else None
        if embedded is not None and not (address.is_loopback or address.is_unspecified):
            return f"{kind} ({embedded}, wrapped in IPv6 as {address})"
        return f"{kind} ({address})"
