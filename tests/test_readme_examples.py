"""Every GraphQL example of the README runs verbatim, in order, against the API on the demo
data: the walkthroughs as the participant and as market operations, including the refused
answers they show. And the README's table of role steps is what the templates say."""

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import OperationDefinitionNode, parse

from wfm_workflows.catalog import catalog_templates
from wfm_workflows.catalog_docs import replace_section, role_steps_markdown
from wfm_workflows.seed import DEMO_PASSWORD

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.DOTALL | re.MULTILINE)
ACTOR = re.compile(r"^# as (\S+@\S+)", re.MULTILINE)
REFUSED = re.compile(r"^# refused: ([A-Z_]+)", re.MULTILINE)
ROLES = "query { tenants { slug marketRoles { role status } } }"
STATUS = "query($id: ID!) { workflow(id: $id) { status template { key } } }"
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""


@dataclass(frozen=True)
class Example:
    line: int
    text: str
    actor: str | None  # `# as <email>`: run with that demo login's token
    refused: str | None  # `# refused: <CODE>`: the answer shown is that error

    def __str__(self) -> str:
        return f"README.md line {self.line}"


def readme_examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        block = match.group(1)
        actor, refused = ACTOR.search(block), REFUSED.search(block)
        found.append(
            Example(
                text.count("\n", 0, match.start()) + 2,
                block,
                actor.group(1) if actor else None,
                refused.group(1) if refused else None,
            )
        )
    return found


def test_every_graphql_example_is_one_operation():
    examples = readme_examples()
    assert len(examples) >= 30
    for example in examples:
        operations = [
            d for d in parse(example.text).definitions if isinstance(d, OperationDefinitionNode)
        ]
        assert len(operations) == 1, example


async def test_the_readme_examples_run_verbatim_in_order(demo_api):
    """`$id` is the workflow the walkthrough's last `createWorkflow` answered, as the README
    says to put it in GraphiQL's Variables tab."""
    gql, _ = demo_api
    tokens: dict[str, str] = {}
    workflow_id: str | None = None
    for example in readme_examples():
        token = None
        if example.actor is not None:
            if example.actor not in tokens:
                login = await gql(LOGIN, {"email": example.actor, "password": DEMO_PASSWORD})
                tokens[example.actor] = login.ok()["login"]["accessToken"]
            token = tokens[example.actor]
        variables = {"id": workflow_id} if "$id" in example.text else {}
        result = await gql(example.text, variables, token=token)
        if example.refused is not None:
            assert result.codes == [example.refused], (str(example), result.errors)
            continue
        assert not result.errors, (str(example), result.errors)
        created = (result.data or {}).get("createWorkflow")
        if created is not None:
            workflow_id = created["id"]
    # where the walkthroughs end: both onboardings granted their role, the change approved
    roles = await gql(ROLES, token=tokens["ops@wfm.local"])
    held = {
        (t["slug"], r["role"], r["status"]) for t in roles.ok()["tenants"] for r in t["marketRoles"]
    }
    assert held == {("ardennes-energie", "BRP", "active"), ("flanders-flex", "GU", "active")}
    last = await gql(STATUS, {"id": workflow_id}, token=tokens["ops@wfm.local"])
    assert last.ok()["workflow"] == {
        "status": "COMPLETED",
        "template": {"key": "portfolio-management"},
    }


def test_the_role_steps_in_the_readme_are_those_of_the_templates():
    text = README.read_text(encoding="utf-8")
    table = role_steps_markdown(catalog_templates())
    assert replace_section(text, table) == text, (
        "the README's role steps are stale: run `uv run wfm templates doc --readme README.md`"
    )
