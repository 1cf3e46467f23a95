"""LK_SMTP_URL and LK_SMS_URL as the README describes them."""

from __future__ import annotations

import pytest

from adapters.mail import create_mailer
from adapters.mail.smtp import SmtpMailer


def test_smtp_url_forms():
    plain = SmtpMailer.from_url("smtp://robot%40lk:p%3Ass@mail.local:2525", sender="a@b.ru")
    assert (plain.host, plain.port, plain.username, plain.password) == (
        "mail.local",
        2525,
        "robot@lk",
        "p:ss",
    )
    assert (plain.use_tls, plain.start_tls) == (False, None)
    implicit = SmtpMailer.from_url("smtps://u:p@mail.local", sender="a@b.ru")
    assert (implicit.port, implicit.use_tls, implicit.start_tls) == (465, True, False)
    required = SmtpMailer.from_url("smtp://mail.local?starttls=required&timeout=5", sender="x")
    assert (required.port, required.start_tls, required.timeout, required.username) == (
        25,
        True,
        5.0,
        None,
    )
    assert create_mailer("", sender="x") is None


@pytest.mark.parametrize("url", ["http://mail.local", "smtp://mail.local?starttls=maybe"])
def test_smtp_url_mistakes_are_refused(url):
    with pytest.raises(ValueError):
        SmtpMailer.from_url(url, sender="x")
