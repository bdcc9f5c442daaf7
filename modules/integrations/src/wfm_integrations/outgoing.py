"""The HTTP client for every call made on a user's behalf (webhook deliveries, api_call
steps, compensations), enforcing `wfm_shared.url_policy` at the moment of the call.

The check sits where the connection is made: httpcore asks its network backend to connect
to the URL's host, and ours resolves that host once, refuses it unless every address is
allowed, and connects to one of those checked addresses (a second lookup could answer
otherwise: DNS rebinding). TLS still verifies, and sends as SNI, the URL's host name, and
the pool keeps connections per host name, as without the check. Redirects are not followed,
and proxies from the environment are not used (they would resolve the host themselves)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from wfm_integrations.excerpts import excerpt
from wfm_shared.url_policy import IPAddress, OutgoingUrlPolicy, ip_literal

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
REFUSED = "refused by the outgoing-call policy"


class OutgoingCallRefused(Exception):
    """The policy forbids this call; trying again will not help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redirect_reason(response: httpx.Response) -> str:
    """Why a 3xx answer is a failure: a redirect is never followed (its target was not
    checked, and the check is the URL's, not whatever the peer points to)."""
    target = excerpt(response.headers.get("location", ""))
    return f"HTTP {response.status_code}: redirect to {target or '(no location)'} not followed"


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host`, in its order."""
    answers = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = ip_literal(str(sockaddr[0]).split("%", 1)[0])
        if address is not None and address not in found:
            found.append(address)
    return found


class PolicyNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connections, made only to addresses the policy allows."""

    def __init__(
        self,
        policy: OutgoingUrlPolicy,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._policy.name_allowed(host):
            targets = [host]
        else:
            targets = [str(a) for a in await self._checked_addresses(host, port, timeout)]
        error: Exception | None = None
        for target in targets:
            try:
                return await self._inner.connect_tcp(
                    target,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed
        raise error or httpcore.ConnectError(f"{host} has no address")

    async def _checked_addresses(
        self, host: str, port: int, seconds: float | None
    ) -> list[IPAddress]:
        literal = ip_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                async with asyncio.timeout(seconds):
                    addresses = await self._resolve(host, port)
            except TimeoutError as exc:
                raise httpcore.ConnectTimeout(f"resolving {host} took too long") from exc
            except OSError as exc:  # no such name, no resolver: worth trying again later
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        for address in addresses:
            refusal = self._policy.address_refusal(address)
            if refusal:
                verb = "points to" if literal is not None else "resolves to"
                raise OutgoingCallRefused(f"{REFUSED}: {host} {verb} {refusal}")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutgoingCallRefused(f"{REFUSED}: no Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PolicyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose connections pass the policy."""

    def __init__(
        self,
        policy: OutgoingUrlPolicy,
        *,
        resolver: Resolver = resolve,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),
    ) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._policy = policy
        # httpx 0.28 takes no network backend (encode/httpx#3180): the pool it built is
        # replaced by the same pool over ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PolicyNetworkBackend(policy, resolver),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        problem = self._policy.form_problem(str(request.url))
        if problem:
            raise OutgoingCallRefused(f"{REFUSED}: the URL {problem}")
        return await super().handle_async_request(request)


def outgoing_client(
    policy: OutgoingUrlPolicy,
    *,
    resolver: Resolver = resolve,
    verify: ssl.SSLContext | bool = True,
) -> httpx.AsyncClient:
    """The client for calls made on a user's behalf; never for operator-configured peers
    (Kong's Admin API, SMTP), which may well live on a private network."""
    return httpx.AsyncClient(
        transport=PolicyTransport(policy, resolver=resolver, verify=verify),
        follow_redirects=False,
        trust_env=False,
    )
