"""Where the current request comes from: the client's address, set by the API's HTTP
middleware for each request and read by whatever records it (the login throttle, the audit
trail), so that no service passes it along. The worker and the CLI set nothing: what they
record carries no address."""

from __future__ import annotations

from contextvars import ContextVar

# The address of the client of the current request (None outside a request).
current_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)
