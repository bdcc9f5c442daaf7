import ast
import subprocess
import sys
from pathlib import Path

import wfm_engine

IO_LIBRARIES = ("asyncpg", "pymongo", "httpx", "starlette", "strawberry", "uvicorn", "aiosmtplib")


def test_the_engine_imports_no_io_library():
    probe = (
        f"import sys, wfm_engine; print(','.join(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


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
