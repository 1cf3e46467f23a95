"""Texts of the messages the outbox sends that are shared by several flows, and how a moment
reads in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from infra.runtime import Runtime

# Notices to the old contact when the signed-in user's e-mail or phone changed (sent when the
# new one is confirmed, i.e. when it starts receiving codes, links and receipts). {new} is
# masked.
CONTACT_CHANGED_SUBJECT = "Изменены контактные данные в личном кабинете"
EMAIL_CHANGED_TEXT = """Здравствуйте!

В личном кабинете клиента (логин {login}) адрес электронной почты изменён на {new}.
Ссылки для восстановления пароля и копии чеков теперь приходят на новый адрес.

Если это сделали не вы, обратитесь в офис обслуживания или в службу поддержки клиентов:
доступ к кабинету мог получить посторонний.

С уважением,
служба поддержки клиентов
"""
PHONE_CHANGED_TEXT = """Здравствуйте!

В личном кабинете клиента (логин {login}) номер телефона изменён на {new}.
Коды для восстановления пароля теперь приходят на новый номер.

Если это сделали не вы, обратитесь в офис обслуживания или в службу поддержки клиентов:
доступ к кабинету мог получить посторонний.

С уважением,
служба поддержки клиентов
"""
EMAIL_CHANGED_SMS = (
    "В личном кабинете (логин {login}) e-mail изменён на {new}. "
    "Если это не вы, обратитесь в офис обслуживания."
)
PHONE_CHANGED_SMS = (
    "В личном кабинете (логин {login}) номер телефона изменён на {new}. "
    "Если это не вы, обратитесь в офис обслуживания."
)


def local_time(rt: Runtime, moment: datetime) -> str:
    """A moment as a person reads it in a message: the retailer's local time (LK_TIMEZONE)."""
    return f"{moment.astimezone(ZoneInfo(rt.settings.timezone)):%d.%m.%Y %H:%M}"
