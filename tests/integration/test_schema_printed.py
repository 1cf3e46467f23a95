"""The committed integration.graphql is what the integration endpoint serves."""

from __future__ import annotations

import pathlib

from schema.integration import integration_schema
from tests.test_schema_printed import undescribed_arguments

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def test_committed_integration_schema_matches_the_code():
    committed = (ROOT / "integration.graphql").read_text(encoding="utf-8")
    assert committed == integration_schema.as_str() + "\n", (
        "integration.graphql drifted: run `python -m schema.integration > integration.graphql`"
    )


def test_every_argument_is_described():
    # None of the 16 had one before the renovation round.
    sdl = (ROOT / "integration.graphql").read_text(encoding="utf-8")
    assert undescribed_arguments(sdl) == []
