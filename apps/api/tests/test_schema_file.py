from pathlib import Path

from wfm_api.schema import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_checked_in_sdl_matches_the_code():
    assert SCHEMA_FILE.exists(), "apps/api/schema.graphql is missing: run `make schema`"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "apps/api/schema.graphql is stale: run `make schema` and commit it"
    )
