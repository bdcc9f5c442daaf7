"""The `securityQuestionnaireComplete` gate: a vendor reaches contract approval only with
every security question answered and a remediation plan for each gap."""

from __future__ import annotations

from collections.abc import Mapping

from wfm_engine.gates import GateContext, GateResult

GATE = "securityQuestionnaireComplete"
QUESTIONNAIRE_STEP = "security-questionnaire"


async def security_questionnaire_complete(ctx: GateContext) -> GateResult:
    """The questionnaire (the step being left, else `security-questionnaire`) has no answer
    `unknown`, and each answer `no` has a remediation plan in `remediations`."""
    data = ctx.steps.get(ctx.check.step_id or QUESTIONNAIRE_STEP) or {}
    answers = data.get("answers") or {}
    if not answers:
        return GateResult(GATE, False, "the security questionnaire has not been answered")
    planned = {
        str(r.get("question"))
        for r in data.get("remediations") or []
        if isinstance(r, Mapping) and r.get("plan")
    }
    unanswered = sorted(q for q, a in answers.items() if a == "unknown")
    unplanned = sorted(q for q, a in answers.items() if a == "no" and q not in planned)
    if unanswered or unplanned:
        reasons = [f"unanswered: {', '.join(unanswered)}"] if unanswered else []
        reasons += [f"no remediation plan for: {', '.join(unplanned)}"] if unplanned else []
        return GateResult(GATE, False, "; ".join(reasons))
    return GateResult(GATE, True)
