"""A small GraphQL client for tests, over any httpx client (in-process or real HTTP)."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLResult:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.body: dict[str, Any] = response.json()

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    @property
    def field_paths(self) -> list[list[str | int]]:
        """The paths of the fields a VALIDATION_FAILED names, every error's, in order."""
        return [f["path"] for e in self.errors for f in e.get("extensions", {}).get("fields", [])]

    def ok(self) -> Any:
        assert not self.errors, self.errors
        return self.data


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, path: str = "/graphql") -> None:
        self.http = http
        self.path = path

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResult:
        sent = dict(headers or {})
        if token:
            sent["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            self.path, json={"query": query, "variables": variables or {}}, headers=sent
        )
        return GraphQLResult(response)
