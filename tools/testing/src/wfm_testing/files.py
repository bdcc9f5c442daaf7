"""Attachments over HTTP for tests: `POST /files` as the web app sends it (multipart, the
fields before the file), with any httpx client (in-process ASGI or real HTTP)."""

from __future__ import annotations

import httpx

from wfm_testing.graphql import GraphQLClient

PDF = "application/pdf"


def _http(client: GraphQLClient | httpx.AsyncClient) -> httpx.AsyncClient:
    return client.http if isinstance(client, GraphQLClient) else client


async def upload_file(
    client: GraphQLClient | httpx.AsyncClient,
    token: str | None,
    workflow_id: str,
    step_id: str,
    name: str,
    content: bytes,
    *,
    declared_type: str = PDF,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Upload `content` as `name` to step `step_id` of the workflow; the API's answer.
    `declared_type` is what the client says the file is (the API reads it from the bytes)."""
    sent = dict(headers or {})
    if token:
        sent["authorization"] = f"Bearer {token}"
    return await _http(client).post(
        "/files",
        data={"workflowId": workflow_id, "stepId": step_id},
        files={"file": (name, content, declared_type)},
        headers=sent,
    )


async def uploaded_file_id(
    client: GraphQLClient | httpx.AsyncClient,
    token: str,
    workflow_id: str,
    step_id: str,
    name: str,
    content: bytes,
) -> str:
    """Upload a file that the step takes; its id."""
    response = await upload_file(client, token, workflow_id, step_id, name, content)
    assert response.status_code == 201, response.text
    file_id: str = response.json()["id"]
    return file_id


async def download_file(
    client: GraphQLClient | httpx.AsyncClient, token: str | None, file_id: str
) -> httpx.Response:
    """`GET /files/{id}`, the API's answer."""
    sent = {"authorization": f"Bearer {token}"} if token else {}
    return await _http(client).get(f"/files/{file_id}", headers=sent)
