"""The committed schema.graphql is what the code serves, and the contract is not broken."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from graphql import GraphQLObjectType
from graphql import build_schema as build_sdl_schema

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


def undescribed_arguments(sdl: str) -> list[str]:
    """Arguments without a description that is a sentence (ending with a period)."""
    printed = build_sdl_schema(sdl)
    return [
        f"{type_name}.{field_name}({argument_name})"
        for type_name, type_ in printed.type_map.items()
        if isinstance(type_, GraphQLObjectType) and not type_name.startswith("__")
        for field_name, field in type_.fields.items()
        for argument_name, argument in field.args.items()
        if not (argument.description or "").rstrip().endswith(".")
    ]


def test_every_argument_is_described():
    # 69 of the 79 arguments had none before the renovation round.
    assert undescribed_arguments((ROOT / "schema.graphql").read_text(encoding="utf-8")) == []
