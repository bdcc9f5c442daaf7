import subprocess
import sys

IO_LIBRARIES = ("asyncpg", "pymongo", "httpx", "starlette", "strawberry", "uvicorn", "aiosmtplib")


def test_the_engine_imports_no_io_library():
    probe = (
        f"import sys, wfm_engine; print(','.join(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
