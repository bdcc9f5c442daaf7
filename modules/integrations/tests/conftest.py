import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from wfm_integrations.outgoing import outgoing_client
from wfm_shared.url_policy import OutgoingUrlPolicy
from wfm_testing.pytest_plugin import OUTGOING_ALLOWED_HOSTS


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The client the worker calls users' URLs with, letting the loopback peers through."""
    policy = OutgoingUrlPolicy.with_allowed(OUTGOING_ALLOWED_HOSTS, https_only=False)
    async with outgoing_client(policy) as http:
        yield http


@pytest.fixture
async def operator_client() -> AsyncIterator[httpx.AsyncClient]:
    """A plain client, for peers the operator configures (Kong's Admin API)."""
    async with httpx.AsyncClient() as http:
        yield http


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nobody listening: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
