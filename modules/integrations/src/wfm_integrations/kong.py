"""API access for market participants, provisioned in Kong through its Admin API: a
consumer per tenant and key-auth credentials with ids chosen by the caller, so that every
call can be repeated safely."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from wfm_integrations.excerpts import excerpt


class KongError(Exception):
    """The Admin API refused or could not be reached (`status` None)."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(
            f"Kong Admin API: {reason}" if status is None else f"Kong {status}: {reason}"
        )
        self.status = status
        self.reason = reason

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


class KongAdmin:
    def __init__(self, client: httpx.AsyncClient, admin_url: str) -> None:
        self.client = client
        self.admin_url = admin_url.rstrip("/")

    async def ensure_consumer(
        self, username: str, custom_id: str, tags: Sequence[str]
    ) -> dict[str, Any]:
        """Create or update the consumer `username` (PUT upserts by username)."""
        return await self._put(
            f"/consumers/{_segment(username)}", {"custom_id": custom_id, "tags": list(tags)}
        )

    async def ensure_key_auth(
        self, username: str, credential_id: uuid.UUID, tags: Sequence[str]
    ) -> dict[str, Any]:
        """Make sure the consumer has the key-auth credential `credential_id` (choose it
        deterministically, e.g. uuid5 of tenant and role) and return it, key included.

        Kong generates the key. A PUT without a key generates a NEW one even when the
        credential exists (upsert replaces the whole entity), so the credential is read
        first and an existing key is always sent back unchanged: a retry never rotates it.
        (Two callers racing on the same new id could still both PUT: the worker runs one
        job per step at a time.)
        """
        path = f"/consumers/{_segment(username)}/key-auth/{credential_id}"
        existing = await self._get(path)
        if existing is None:
            return await self._put(path, {"tags": list(tags)})
        if sorted(existing.get("tags") or []) == sorted(tags):
            return existing
        return await self._put(path, {"key": existing["key"], "tags": list(tags)})

    async def _get(self, path: str) -> dict[str, Any] | None:
        response = await self._send("GET", path, None)
        return None if response.status_code == 404 else _entity("GET", path, response)

    async def _put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _entity("PUT", path, await self._send("PUT", path, body))

    async def _send(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        try:
            return await self.client.request(method, self.admin_url + path, json=body)
        except httpx.TimeoutException as exc:
            raise KongError(None, f"{method} {path}: no response ({type(exc).__name__})") from exc
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise KongError(None, f"{method} {path}: {type(exc).__name__}: {exc}") from exc


def _entity(method: str, path: str, response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise KongError(response.status_code, f"{method} {path}: {_message(response)}")
    try:
        entity = response.json()
    except ValueError:
        entity = None
    if not isinstance(entity, dict):
        raise KongError(response.status_code, f"{method} {path}: not a JSON object")
    return entity


def _segment(value: str) -> str:
    return quote(value, safe="")


def _message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return excerpt(response.text) or response.reason_phrase
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return excerpt(payload["message"])
    return excerpt(response.text)
