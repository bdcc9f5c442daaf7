"""Every GraphQL example of the README runs verbatim, in order, against the API on the demo
data: the walkthroughs as the participant and as market operations, including the refused
answers they show; so do its `curl` examples of attachments (`POST /files`, `GET /files/...`)
in their place. And the README's table of role steps is what the templates say."""

import itertools
import re
import shlex
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from graphql import OperationDefinitionNode, parse

from wfm_devkit.documents import bank_guarantee_pdf
from wfm_workflows.catalog import catalog_templates
from wfm_workflows.catalog_docs import replace_section, role_steps_markdown
from wfm_workflows.seed import DEMO_PASSWORD

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```(graphql|sh)\n(.*?)^```", re.DOTALL | re.MULTILINE)
ACTOR = re.compile(r"^# as (\S+@\S+)", re.MULTILINE)
REFUSED = re.compile(r"^# refused: ([A-Z_]+)", re.MULTILINE)
ROLES = "query { tenants { nodes { slug marketRoles { role status } } } }"
STATUS = "query($id: ID!) { workflow(id: $id) { status template { key } } }"
# the token of an invitation's or a password reset's link
LINK_TOKEN = re.compile(r"/(?:invitations|reset-password)/([A-Za-z0-9_-]+)")
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""


@dataclass(frozen=True)
class Example:
    line: int
    text: str
    actor: str | None  # `# as <email>`: run with that demo login's token
    refused: str | None  # `# refused: <CODE>`: the answer shown is that error
    language: str = "graphql"  # or `sh`: a `curl` command of the files API

    def __str__(self) -> str:
        return f"README.md line {self.line}"


def readme_examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        language, block = match.group(1), match.group(2)
        if language == "sh" and not block.lstrip().startswith(("curl", "# as")):
            continue  # only the files API's curl commands are examples to run
        actor, refused = ACTOR.search(block), REFUSED.search(block)
        found.append(
            Example(
                text.count("\n", 0, match.start()) + 2,
                block,
                actor.group(1) if actor else None,
                refused.group(1) if refused else None,
                language,
            )
        )
    return found


async def run_curl(http, example: Example, token: str | None, current: dict[str, str]) -> None:
    """A `curl` of the files API as the README writes it: `-F name=value` fields, `-F
    file=@<name>` (the bank guarantee's PDF), the URL last; `$ID` is the walkthrough's
    workflow, `$FILE` the file uploaded last (the upload sets it), `$TOKEN` the actor's."""
    words = shlex.split(example.text.replace("\\\n", " "), comments=True)
    values = {"$ID": current.get("id", ""), "$FILE": current.get("file", "")}

    def filled(word: str) -> str:
        for name, value in values.items():
            word = word.replace(name, value)
        return word

    fields, files = {}, {}
    for flag, value in itertools.pairwise(words):
        if flag == "-F":
            name, _, given = value.partition("=")
            if given.startswith("@"):
                files[name] = (
                    given[1:],
                    bank_guarantee_pdf("KBC-GAR-2026-000042"),
                    "application/pdf",
                )
            else:
                fields[name] = filled(given)
    url = filled(next(w for w in words if w.startswith("http")))
    path = "/" + url.split("/", 3)[3]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if files:
        answer = await http.post(path, data=fields, files=files, headers=headers)
        assert answer.status_code == 201, (str(example), answer.text)
        current["file"] = answer.json()["id"]
    else:
        answer = await http.get(path, headers=headers)
        assert answer.status_code == 200, (str(example), answer.text)


def test_every_graphql_example_is_one_operation():
    examples = [e for e in readme_examples() if e.language == "graphql"]
    assert len(examples) >= 30
    for example in examples:
        operations = [
            d for d in parse(example.text).definitions if isinstance(d, OperationDefinitionNode)
        ]
        assert len(operations) == 1, example


def link_token(mail: EmailMessage) -> str:
    """The token of the link an invitation or password-reset mail carries."""
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, mail
    found = LINK_TOKEN.search(body.get_content())
    assert found is not None, body.get_content()
    return found.group(1)


async def test_the_readme_examples_run_verbatim_in_order(demo_api, demo_mail):
    """`$id` is the workflow the walkthrough's last `createWorkflow` answered, `$tenant` the
    tenant of the last `createTenant`, `$trigger` the trigger of the last
    `createWorkflowTrigger`, `$token` the token of the link in the newest mail, as the README
    says to put them in GraphiQL's Variables tab."""
    gql, _ = demo_api
    tokens: dict[str, str] = {}
    current: dict[str, str] = {}
    created: list[str] = []
    for example in readme_examples():
        token = None
        if example.actor is not None:
            if example.actor not in tokens:
                login = await gql(LOGIN, {"email": example.actor, "password": DEMO_PASSWORD})
                tokens[example.actor] = login.ok()["login"]["accessToken"]
            token = tokens[example.actor]
        if example.language == "sh":
            await run_curl(gql.http, example, token, current)
            continue
        if "$token" in example.text:
            current["token"] = link_token(demo_mail.messages[-1])
        variables = {name: value for name, value in current.items() if f"${name}" in example.text}
        result = await gql(example.text, variables, token=token)
        if example.refused is not None:
            assert result.codes == [example.refused], (str(example), result.errors)
            continue
        assert not result.errors, (str(example), result.errors)
        for field, name in (
            ("createWorkflow", "id"),
            ("createTenant", "tenant"),
            ("createWorkflowTrigger", "trigger"),
        ):
            answered = (result.data or {}).get(field)
            if answered is not None:
                current[name] = answered["id"]
                if field == "createWorkflow":
                    created.append(answered["id"])
    # where the walkthroughs end: both onboardings granted their role, the change approved,
    # the new participant's onboarding under way
    roles = await gql(ROLES, token=tokens["ops@wfm.local"])
    held = {
        (t["slug"], r["role"], r["status"])
        for t in roles.ok()["tenants"]["nodes"]
        for r in t["marketRoles"]
    }
    assert held == {
        ("ardennes-energie", "BRP", "active"),
        ("flanders-flex", "GU", "active"),
        ("kempen-balancing-bv", "BRP", "pending"),
    }
    ends = [
        (await gql(STATUS, {"id": id_}, token=tokens["ops@wfm.local"])).ok()["workflow"]
        for id_ in created
    ]
    assert [(w["template"]["key"], w["status"]) for w in ends] == [
        ("contract-onboarding", "COMPLETED"),
        ("contract-onboarding", "COMPLETED"),
        ("portfolio-management", "COMPLETED"),
        ("contract-onboarding", "IN_PROGRESS"),
    ]


def test_the_role_steps_in_the_readme_are_those_of_the_templates():
    text = README.read_text(encoding="utf-8")
    table = role_steps_markdown(catalog_templates())
    assert replace_section(text, table) == text, (
        "the README's role steps are stale: run `uv run wfm templates doc --readme README.md`"
    )
