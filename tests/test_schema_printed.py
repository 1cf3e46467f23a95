"""The committed schema.graphql is what the code serves, and the contract is not broken."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from schema import build_schema

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKER = ROOT.parent / "shared" / "tools" / "check-contract"


def test_committed_schema_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == build_schema().as_str() + "\n", (
        "schema.graphql drifted from the code: run `python -m schema > schema.graphql`"
    )


def test_served_schema_keeps_the_contract():
    if not CHECKER.exists():  # pragma: no cover - the contract sits beside the repository
        import pytest

        pytest.skip("../shared/tools/check-contract is not beside this checkout")
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(ROOT / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
