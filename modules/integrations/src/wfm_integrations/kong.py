"""API access for market participants, provisioned in Kong through its Admin API: a
consumer per tenant and market role, and key-auth credentials whose ids and keys the caller
chooses, so that every call can be repeated safely."""

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

    async def put_key_auth(
        self, username: str, credential_id: uuid.UUID, key: str, tags: Sequence[str]
    ) -> dict[str, Any]:
        """Create the key-auth credential `credential_id` of the consumer with `key` (chosen
        by the platform), or give the existing one that key: PUT upserts by id, so sending
        the same key again changes nothing and a new key replaces the old one at once."""
        try:
            return await self._put(
                f"/consumers/{_segment(username)}/key-auth/{credential_id}",
                {"key": key, "tags": list(tags)},
            )
        except KongError as error:
            # Kong quotes the offending value (a taken key) in its refusals: never the key
            raise KongError(error.status, error.reason.replace(key, "[key]")) from None

    async def delete_key_auth(self, username: str, credential_id: uuid.UUID) -> None:
        """Delete the credential: its key stops working. Already gone (or its consumer) is
        done too."""
        path = f"/consumers/{_segment(username)}/key-auth/{credential_id}"
        response = await self._send("DELETE", path, None)
        if response.status_code >= 400 and response.status_code != 404:
            raise KongError(response.status_code, f"DELETE {path}: {_message(response)}")

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
