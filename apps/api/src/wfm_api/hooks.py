"""`POST /hooks/{triggerId}`: a vendor's system starts a workflow through a webhook trigger,
signing its request as Standard Webhooks specifies (`wfm_workflows.inbound_hooks` checks it).

The route only translates: the service's answer, or its typed error, into HTTP, in the shape
of GraphQL's errors (as every refused HTTP request of the API answers, the body limits' 413
and 408 included):

- 202 `{"runId", "workflowId", "outcome": "started"}`: the workflow started;
- 200 `{"runId", "workflowId": null, "outcome": "skipped" | "failed", "reason"}`: nothing
  to start (an onboarding for the role exists) or the workflow cannot be started (its
  template was withdrawn);
- 200 with the first answer's body: a webhook-id received before, nothing started;
- 401 UNAUTHENTICATED: a signature that does not match, a stale timestamp, a header missing;
- 404 NOT_FOUND: no such webhook trigger, or one switched off (the same answer);
- 422 VALIDATION_FAILED with `fields` (path in the body, message): not what the trigger's
  input schema asks for, or not JSON;
- 429 RATE_LIMITED with Retry-After;
- 503 UNAVAILABLE while a storage service is.

The body is read within the API's body size limit and deadline (`wfm_api.limits.BodyLimits`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wfm_api.errors import storage_unavailable
from wfm_api.refusals import NO_STORE, refused, storage_unavailable_response
from wfm_shared.errors import WfmError
from wfm_shared.logging import get_logger
from wfm_workflows.inbound_hooks import HookRateLimited, HookReceipt, InboundHooks

log = get_logger("wfm.api")


def refused_hook(error: WfmError) -> JSONResponse:
    headers = {}
    if isinstance(error, HookRateLimited):
        headers["retry-after"] = str(error.retry_after_seconds)
    return refused(error, headers=headers)


def answer(receipt: HookReceipt) -> JSONResponse:
    run = receipt.run
    body: dict[str, Any] = {
        "runId": str(run.id),
        "workflowId": str(run.workflow_id) if run.workflow_id else None,
        "outcome": run.outcome,
    }
    if run.reason:
        body["reason"] = run.reason
    started = run.outcome == "started" and not receipt.replayed
    return JSONResponse(body, status_code=202 if started else 200, headers=NO_STORE)


async def receive_hook(request: Request) -> Response:
    hooks: InboundHooks = request.app.state.services.hooks
    body = await request.body()
    try:
        receipt = await hooks.receive(request.path_params["trigger_id"], request.headers, body)
    except WfmError as error:
        return refused_hook(error)
    except Exception as error:
        if not storage_unavailable(error):
            raise
        log.warning("storage_unavailable", error=repr(error))
        return storage_unavailable_response()
    return answer(receipt)


def hook_routes() -> list[Route]:
    return [Route("/hooks/{trigger_id}", receive_hook, methods=["POST"])]
