"""The command line itself, in process (no server): help everywhere, usage errors exit 2."""

import pytest
import typer
from typer.testing import CliRunner

from wfm_cli.main import app

runner = CliRunner()


def command_paths(command, prefix=()):
    yield prefix
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*prefix, name))


ALL_COMMANDS = list(command_paths(typer.main.get_command(app)))


def test_every_command_is_there():
    assert {" ".join(path) for path in ALL_COMMANDS} >= {
        "migrate",
        "seed",
        "reconcile",
        "serve",
        "dev",
        "schema",
        "templates validate",
        "templates import",
        "templates publish",
        "templates export",
        "templates list",
        "templates deprecate",
        "templates schema",
        "tenants create",
        "tenants list",
        "users create",
        "token issue",
    }


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda path: " ".join(path) or "wfm")
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["templates", "export", "cli-sample@latest"],
        ["templates", "deprecate", "cli-sample"],
        ["templates", "list", "--role", "XYZ"],
        ["users", "create", "--email", "a@b.test", "--role", "superuser"],
        ["token", "issue", "--email", "a@b.test", "--ttl", "0"],
        ["tenants", "create", "--slug", "x"],
    ],
    ids=" ".join,
)
def test_usage_errors_exit_with_2(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
