import ast
import subprocess
import sys
from pathlib import Path

import wfm_engine

IO_LIBRARIES = ("asyncpg", "pymongo", "httpx", "starlette", "strawberry", "uvicorn", "aiosmtplib")
# the process's configuration is the entrypoints' business: the engine reads fixed limits only
CONFIGURATION = ("pydantic_settings", "wfm_shared.settings")


def loaded_with_the_engine(modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh interpreter holds once it has imported the engine."""
    probe = f"import sys, wfm_engine; print(','.join(m for m in {modules!r} if m in sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_engine_imports_no_io_library():
    assert loaded_with_the_engine(IO_LIBRARIES) == ""


def test_the_engine_reads_no_configuration():
    assert loaded_with_the_engine(CONFIGURATION) == ""


def test_the_engine_modules_import_each_other_without_a_cycle():
    """Type-only imports count too: a module that needs another's types sits above it."""
    package = Path(wfm_engine.__file__).parent
    imports = {
        module.stem: {
            node.module.split(".")[1]
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wfm_engine.")
        }
        for module in package.glob("*.py")
        if module.stem != "__init__"
    }
    done: set[str] = set()

    def visit(module, path):
        assert module not in path, " -> ".join([*path[path.index(module) :], module])
        if module not in done:
            for imported in imports[module]:
                visit(imported, [*path, module])
            done.add(module)

    for module in imports:
        visit(module, [])
