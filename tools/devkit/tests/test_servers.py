import pytest

from wfm_devkit.servers import FerretDB, ServerUnavailable


def test_missing_ferretdb_fails_with_instructions(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WFM_FERRETDB_BIN", str(tmp_path / "absent"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerUnavailable, match=r"make install.*MONGODB_URL"):
        FerretDB.find_binary()
