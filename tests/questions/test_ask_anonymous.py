"""askQuestion without signing in: a solved security code, a contact (e-mail or phone, checked)
and consent; the account number is recorded as typed, never looked up."""

from __future__ import annotations

import hashlib

import pytest

import models
from tests.captchas import challenge
from tests.questions.conftest import ask, error_codes, question_counters


@pytest.fixture
async def guarded(make_client):
    """The app with the security code switched on."""
    return await make_client(captcha="enabled")


async def test_question_with_a_solved_code_and_an_email_is_stored(guarded):
    code = await challenge("K7M2P")

    payload = await ask(
        guarded,
        captchaId=code,
        captchaAnswer="k7m2p",
        email=" Guest@Example.RU ",
        accountNumber="66200000000",
    )

    assert payload["errors"] == []
    row = await models.Question.get(number=payload["question"]["number"])
    assert row.user_id is None
    assert (row.email, row.phone) == ("Guest@example.ru", None)
    assert (row.account_number, row.account_verified) == ("66200000000", False)
    [mail] = await models.OutgoingMessage.all()
    assert "Без входа в личный кабинет" in mail.body
    assert "66200000000 (указан без входа в кабинет, не проверялся)" in mail.body
    # Nothing is sent to the address a visitor typed until support answers.
    assert mail.to == "lk@ntesk.ru"
    assert await question_counters() == {
        "question:source:127.0.0.1": 1,
        f"question:contact:{_digest('guest@example.ru')}": 1,
    }


def _digest(contact: str) -> str:
    return hashlib.sha256(contact.encode()).hexdigest()[:32]


async def test_existing_and_unknown_account_numbers_answer_alike(guarded):
    known = await ask(
        guarded,
        captchaId=await challenge("AAAAA"),
        captchaAnswer="AAAAA",
        accountNumber="66200000000",
    )
    unknown = await ask(
        guarded,
        captchaId=await challenge("BBBBB"),
        captchaAnswer="BBBBB",
        accountNumber="66299999999",
    )

    assert known["errors"] == unknown["errors"] == []
    shape = {
        k for k in known["question"] if k not in ("id", "number", "createdAt", "accountNumber")
    }
    assert {k: known["question"][k] for k in shape} == {k: unknown["question"][k] for k in shape}
    assert await models.Question.filter(account_verified=True).count() == 0


async def test_question_by_phone_only(guarded):
    payload = await ask(
        guarded,
        captchaId=await challenge("CCCCC"),
        captchaAnswer="CCCCC",
        email=None,
        phone="8 (912) 345-67-89",
    )

    assert payload["errors"] == []
    row = await models.Question.get()
    assert (row.email, row.phone) == (None, "+79123456789")


async def test_wrong_security_code_stores_and_counts_nothing(guarded):
    code = await challenge("DDDDD")

    payload = await ask(guarded, captchaId=code, captchaAnswer="EEEEE")
    replay = await ask(guarded, captchaId=code, captchaAnswer="DDDDD")

    assert error_codes(payload) == [("CAPTCHA_INVALID", "input.captchaAnswer")]
    # A code is spent by its first check, right or wrong.
    assert error_codes(replay) == [("CAPTCHA_INVALID", "input.captchaAnswer")]
    assert await models.Question.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0
    assert await question_counters() == {}


async def test_a_solved_code_is_spent_by_one_question(guarded):
    code = await challenge("FFFFF")

    first = await ask(guarded, captchaId=code, captchaAnswer="FFFFF")
    again = await ask(guarded, captchaId=code, captchaAnswer="FFFFF")

    assert first["errors"] == []
    assert error_codes(again) == [("CAPTCHA_INVALID", "input.captchaAnswer")]
    assert await models.Question.all().count() == 1


async def test_without_contact_consent_or_code_every_problem_is_answered(guarded):
    code = await challenge("GGGGG")

    payload = await ask(
        guarded, captchaId=code, captchaAnswer="GGGGG", email=" ", consentToPersonalData=False
    )

    assert error_codes(payload) == [
        ("CONSENT_REQUIRED", "input.consentToPersonalData"),
        ("REQUIRED", "input.email"),
    ]
    # Input errors come before the code is checked: it is still good for the corrected form.
    fixed = await ask(guarded, captchaId=code, captchaAnswer="GGGGG")
    assert fixed["errors"] == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"email": "not-an-address"}, [("INVALID_INPUT", "input.email")]),
        ({"email": "a@b.ru\r\nBcc: victim@example.ru"}, [("INVALID_INPUT", "input.email")]),
        ({"email": None, "phone": "12345"}, [("INVALID_INPUT", "input.phone")]),
        ({"phone": "+1 202 555 0143"}, [("INVALID_INPUT", "input.phone")]),
        ({"accountNumber": "6620\x000000"}, [("INVALID_INPUT", "input.accountNumber")]),
        ({"accountNumber": "6" * 33}, [("INVALID_INPUT", "input.accountNumber")]),
    ],
)
async def test_bad_contacts_and_numbers_are_refused(client, fields, expected):
    payload = await ask(client, **fields)

    assert error_codes(payload) == expected
    assert await models.Question.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0
