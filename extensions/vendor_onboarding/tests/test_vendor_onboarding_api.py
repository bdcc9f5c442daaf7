"""The vendor-onboarding extension end to end: seeded with the catalog, driven over GraphQL
against the real servers."""

from wfm_testing.onboarding import APPROVE, EXECUTE, START, SUBMIT

TEMPLATES = """query { templates(key: "vendor-onboarding") {
  key version status marketRole name(locale: FR) approvalRoles
  steps { id type title(locale: NL) validators roles nextStepId }
} }"""
CREATE = """mutation { createWorkflow(marketRole: ESP, templateKey: "vendor-onboarding") {
  id status } }"""
EVENTS = """query($id: ID!) { workflow(id: $id) {
  events(first: 100) { edges { node { type stepId data } } } } }"""

ALL_YES = dict.fromkeys(
    [
        "iso27001Certified",
        "mfaEnforced",
        "dataStoredInEu",
        "encryptionAtRest",
        "incidentNotification24h",
        "subcontractorsDisclosed",
    ],
    "yes",
)


def company(tenant):
    return {
        "companyName": tenant.company_name,
        "enterpriseNumber": tenant.vat_number.removeprefix("BE"),
        "address": {
            "street": "Ringlaan 5",
            "postalCode": "8500",
            "city": "Kortrijk",
            "country": "BE",
        },
        "serviceCategory": "hosting",
        "contact": {"name": "Els Maes", "email": "els@example.test", "phone": "+32 56 12 34 56"},
    }


async def test_the_catalog_seeds_the_extension_template(gql, factory):
    vendor = await factory.account("tenant_admin", await factory.tenant())
    [template] = (await gql(TEMPLATES, token=vendor.token)).ok()["templates"]
    assert {k: template[k] for k in ("key", "version", "status", "marketRole")} == {
        "key": "vendor-onboarding",
        "version": 1,
        "status": "active",
        "marketRole": None,
    }
    assert template["name"] == "Référencement d'un fournisseur"
    assert template["approvalRoles"] == ["market_ops"]
    assert template["steps"] == [
        {
            "id": "company-details",
            "type": "form",
            "title": "Bedrijfsgegevens",
            "validators": [],
            "roles": [],
            "nextStepId": "bank-account",
        },
        {
            "id": "bank-account",
            "type": "form",
            "title": "Bankrekening",
            "validators": ["ibanValid"],
            "roles": [],
            "nextStepId": "security-questionnaire",
        },
        {
            "id": "security-questionnaire",
            "type": "form",
            "title": "Beveiligingsvragenlijst",
            "validators": [],
            "roles": [],
            "nextStepId": "contract-approval",
        },
        {
            "id": "contract-approval",
            "type": "approval",
            "title": "Goedkeuring van het contract",
            "validators": [],
            "roles": ["market_ops"],
            "nextStepId": None,
        },
    ]


async def test_a_vendor_is_onboarded_through_the_api(gql, factory):
    tenant = await factory.tenant()
    vendor = await factory.account("tenant_admin", tenant)
    reviewer = await factory.account("market_ops")
    approver = await factory.account("market_ops")

    async def execute(step, data, token=vendor.token):
        return await gql(EXECUTE, {"id": workflow_id, "step": step, "data": data}, token=token)

    workflow_id = (await gql(CREATE, token=vendor.token)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=vendor.token)).ok()
    (await execute("company-details", company(tenant))).ok()

    bank = {"accountHolder": tenant.company_name, "iban": "BE68539007547035", "bic": "GKCCBEBB"}
    refused = await execute("bank-account", bank)
    assert refused.codes == ["VALIDATION_FAILED"]
    assert [f["path"] for f in refused.errors[0]["extensions"]["fields"]] == [["iban"]]
    short = await execute("bank-account", {**bank, "iban": "BE6853900754703"})
    assert "16 characters" in short.errors[0]["extensions"]["fields"][0]["message"]
    moved = (await execute("bank-account", {**bank, "iban": "BE68 5390 0754 7034"})).ok()
    assert moved["executeStep"]["currentStepId"] == "security-questionnaire"

    incomplete = {"answers": {**ALL_YES, "dataStoredInEu": "unknown", "mfaEnforced": "no"}}
    gated = await execute("security-questionnaire", incomplete)
    assert gated.codes == ["GATE_FAILED"]
    [failed] = gated.errors[0]["extensions"]["failedGates"]
    assert (failed["gate"], failed["passed"]) == ("securityQuestionnaireComplete", False)
    assert "dataStoredInEu" in failed["reason"]
    plan = {"question": "mfaEnforced", "plan": "MFA on all admin access", "dueDate": "2027-03-31"}
    complete = {"answers": {**ALL_YES, "mfaEnforced": "no"}, "remediations": [plan]}
    moved = (await execute("security-questionnaire", complete)).ok()
    assert moved["executeStep"]["currentStepId"] == "contract-approval"

    approval = {"decision": "approve", "comment": "standard terms"}
    assert (await execute("contract-approval", approval)).codes == ["FORBIDDEN"]
    done = (await execute("contract-approval", approval, reviewer.token)).ok()["executeStep"]
    assert (done["status"], done["currentStepId"]) == ("AWAITING_VALIDATION", None)

    submitted = (await gql(SUBMIT, {"id": workflow_id}, token=vendor.token)).ok()
    assert submitted["submitWorkflow"]["status"] == "SUBMITTED"
    # the operator who approved the contract cannot also approve the onboarding
    assert (await gql(APPROVE, {"id": workflow_id}, token=reviewer.token)).codes == ["GATE_FAILED"]
    approved = (await gql(APPROVE, {"id": workflow_id}, token=approver.token)).ok()
    assert approved["approveWorkflow"]["status"] == "COMPLETED"

    events = (await gql(EVENTS, {"id": workflow_id}, token=vendor.token)).ok()["workflow"]
    types = [(e["node"]["type"], e["node"]["stepId"]) for e in events["events"]["edges"]]
    # refusals by quality gates are on record; validation failures append nothing
    assert types == [
        ("WORKFLOW_CREATED", None),
        ("WORKFLOW_STARTED", None),
        ("STEP_COMPLETED", "company-details"),
        ("STEP_COMPLETED", "bank-account"),
        ("GATE_FAILED", "security-questionnaire"),
        ("STEP_COMPLETED", "security-questionnaire"),
        ("STEP_COMPLETED", "contract-approval"),
        ("WORKFLOW_SUBMITTED", None),
        ("GATE_FAILED", None),
        ("WORKFLOW_APPROVED", None),
    ]
