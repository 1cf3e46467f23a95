"""Parsing and validation are cached by query text, and the limits still hold on every request."""

from __future__ import annotations

from schema import operation_cache

ME = "{ me { login accounts { number } } }"
TOO_MANY_ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 5001 + "}"


async def test_a_repeated_query_is_validated_once(client, ivan):
    first = await client.execute(ME, token=ivan)
    hits = operation_cache._validate.cache_info().hits
    second = await client.execute(ME, token=ivan)
    assert second == first == {"me": {"login": "Ivan", "accounts": [{"number": "66200000000"}]}}
    assert operation_cache._validate.cache_info().hits == hits + 1


async def test_too_many_aliases_are_refused_also_from_the_cache(client):
    answers = [await client.post(TOO_MANY_ALIASES) for _ in range(2)]
    for body in answers:
        assert body["data"] is None
        assert [e["message"] for e in body["errors"]] == ["31 aliases found. Allowed: 30"]
    assert answers[0] == answers[1]


async def test_syntax_errors_and_too_many_tokens_are_reported_as_usual(client):
    # Not cached: Strawberry parses such a text itself and reports the error, every time.
    for _ in range(2):
        syntax = await client.post("{ me { login ")
        assert [e["message"] for e in syntax["errors"]] == [
            "Syntax Error: Expected Name, found <EOF>."
        ]
        tokens = await client.post(TOO_MANY_TOKENS)
        assert [e["message"] for e in tokens["errors"]] == [
            "Syntax Error: Document contains more than 5000 tokens. Parsing aborted."
        ]
