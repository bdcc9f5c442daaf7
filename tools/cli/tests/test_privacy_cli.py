"""`wfm privacy export` and `wfm privacy erase` end to end, on a platform of this module's
own: a contact named by tenant slug and e-mail address, or by subject id; the archive on
stdout or in a file; erasure with its reason, idempotent; bad requests refused with a clear
message and the usual exit codes (2: usage, 1: the platform refused)."""

import json
import uuid

import pytest

from wfm_bootstrap import bootstrap
from wfm_engine import ExecuteStep, StartWorkflow
from wfm_shared.personal_data import ERASED, OTHER_SUBJECT, subject_id_for
from wfm_shared.principal import principal_for, system_principal
from wfm_shared.sealing import TENANT_SECRETS, SecretBox, derived_key
from wfm_shared.settings import Settings
from wfm_testing.factories import a_tenant, a_user
from wfm_testing.onboarding import step_data
from wfm_testing.pytest_plugin import APP_PASSWORD, JWT_SECRET

REASON = "the contact asked to be forgotten"


@pytest.fixture
async def onboarding(platform_env, owner):
    """A GU onboarding whose contacts are Lea and Marc: (tenant, workflow id, Lea, Marc)."""
    settings = Settings(
        database_url=platform_env["DATABASE_URL"],
        mongodb_url=platform_env["MONGODB_URL"],
        mongodb_database=platform_env["WFM_MONGODB_DATABASE"],
        ferretdb_postgresql_url=platform_env["WFM_FERRETDB_POSTGRESQL_URL"] or None,
        app_db_password=APP_PASSWORD,
        jwt_secret=JWT_SECRET,
    )
    tenant = await a_tenant(owner)
    admin = await a_user(owner, tenant, password="a sound password", role="tenant_admin")
    principal = principal_for(admin.id, tenant.id, admin.role)
    tag = uuid.uuid4().hex[:8]
    lea, marc = f"lea.{tag}@example.test", f"marc.{tag}@example.test"
    contacts = {
        "contacts": [
            {"name": "Lea Peeters", "email": lea, "role": "primary"},
            {"name": "Marc Dubois", "email": marc, "role": "technical"},
        ]
    }
    services = await bootstrap(settings)
    try:
        state = await services.workflows.create_workflow(
            principal, market_role="GU", template_key="contract-onboarding"
        )
        workflow_id = uuid.UUID(state.id)
        await services.workflows.execute(principal, workflow_id, StartWorkflow())
        company = step_data(tenant, role="GU")["company-info"]
        for step, data in (("company-info", company), ("contacts", contacts)):
            await services.workflows.execute(principal, workflow_id, ExecuteStep(step, data))
    finally:
        await services.close()
    return tenant, state.id, lea, marc


async def test_a_contacts_archive_is_exported_by_tenant_and_address_or_by_subject_id(
    wfm, wfm_process, platform_env, onboarding, tmp_path
):
    tenant, workflow_id, lea, marc = onboarding
    subject = str(subject_id_for(tenant.id, lea))
    written = tmp_path / "lea.json"

    by_address = wfm_process(
        "privacy", "export", "--tenant", tenant.slug, "--email", lea.upper(), "-o", str(written),
        env=platform_env,
    )  # fmt: skip
    assert by_address.returncode == 0, by_address.stderr
    assert by_address.stdout == ""
    archive = json.loads(written.read_text())
    assert (archive["subjectId"], archive["tenantId"], archive["emails"]) == (
        subject,
        str(tenant.id),
        [lea],
    )
    [workflow] = archive["workflows"]
    assert workflow["workflowId"] == workflow_id
    [step] = workflow["steps"]
    assert step["data"]["contacts"] == [
        {"name": "Lea Peeters", "email": lea, "role": "primary"},
        {"name": OTHER_SUBJECT, "email": OTHER_SUBJECT, "role": "technical"},
    ]
    assert marc not in written.read_text()

    by_id = wfm("privacy", "export", "--subject", subject, env=platform_env)
    assert by_id.returncode == 0, by_id.stderr
    again = json.loads(by_id.stdout)
    assert {**again, "generatedAt": None} == {**archive, "generatedAt": None}


async def test_erasing_a_contact_destroys_their_keys_once_and_audits_the_reason(
    wfm, platform_env, onboarding, owner
):
    tenant, workflow_id, lea, _ = onboarding
    subject = str(subject_id_for(tenant.id, lea))

    erased = wfm("privacy", "erase", "--subject", subject, "--reason", REASON, "--json",
                 env=platform_env)  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    report = json.loads(erased.stdout)
    assert {k: v for k, v in report.items() if k != "erasedAt"} == {
        "subjectId": subject,
        "tenantId": str(tenant.id),
        "keysErased": 1,
        "alreadyErased": False,
        "workflowIds": [workflow_id],
        "draftsDeleted": 0,
        "copiesScrubbed": {"webhookDeliveries": 0, "webhookAttempts": 0, "notifications": 0},
    }
    archive = json.loads(wfm("privacy", "export", "--subject", subject, env=platform_env).stdout)
    [step] = archive["workflows"][0]["steps"]
    assert step["data"]["contacts"][0] == {"name": ERASED, "email": ERASED, "role": "primary"}

    again = wfm("privacy", "erase", "--tenant", tenant.slug, "--email", lea, "--reason", REASON,
                env=platform_env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"subject {subject} was erased already: nothing changed"
    entries = await owner.fetch(
        "SELECT actor_id, details FROM wfm.audit_log "
        "WHERE action = 'privacy.subject_erased' AND target_id = $1",
        subject,
    )
    assert [(e["actor_id"], e["details"]["reason"]) for e in entries] == [
        (system_principal().user_id, REASON)
    ]


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (("export",), 2, "give --subject, or --tenant and --email"),
        (("export", "--tenant", "acme"), 2, "give --subject, or --tenant and --email"),
        (("export", "--subject", str(uuid.UUID(int=7)), "--email", "a@b.example"), 2, "not both"),
        (("export", "--subject", "not-an-id"), 2, "expected a subject id"),
        (("export", "--subject", str(uuid.UUID(int=7))), 1,
         f"data subject {uuid.UUID(int=7)} not found"),
        (("export", "--tenant", "no-such-tenant", "--email", "a@b.example"), 1,
         "tenant no-such-tenant not found"),
        (("erase", "--subject", str(uuid.UUID(int=7))), 1, "reason: must be 1 to 500 characters"),
    ],
)  # fmt: skip
def test_a_request_that_names_no_subject_is_refused_with_a_clear_message(
    wfm, platform_env, arguments, code, message
):
    result = wfm("privacy", *arguments, env=platform_env)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


async def test_rotating_the_keyring_reseals_the_keys_of_personal_data(
    wfm, platform_env, onboarding, owner
):
    """(Last in this module: the keyring its platform runs with changes here.)"""
    tenant, _, lea, _ = onboarding
    subject = str(subject_id_for(tenant.id, lea))
    before = await owner.fetch(
        "SELECT id, sealed_key FROM wfm.subject_keys WHERE erased_at IS NULL"
    )
    current = derived_key(JWT_SECRET, TENANT_SECRETS).decode()  # the keyring outside production
    new = SecretBox.generate_key()

    rotated = wfm("secrets", "rotate-key", "--json",
                  env={**platform_env, "WFM_SECRET_KEYS": f"{new},{current}"})  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["subjectKeys"] == {
        "resealed": len(before),
        "current": 0,
        "changedMeanwhile": 0,
        "unreadable": [],
    }
    after = dict(
        await owner.fetch("SELECT id, sealed_key FROM wfm.subject_keys WHERE erased_at IS NULL")
    )
    assert all(after[row["id"]] != row["sealed_key"] for row in before)
    # the new key alone opens them: the contact reads as before
    exported = wfm("privacy", "export", "--subject", subject,
                   env={**platform_env, "WFM_SECRET_KEYS": new})  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    [step] = json.loads(exported.stdout)["workflows"][0]["steps"]
    assert step["data"]["contacts"][0]["name"] == "Lea Peeters"
