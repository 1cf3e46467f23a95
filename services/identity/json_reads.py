"""The signed-in user as SQL that builds JSON (services/json_reads.py)."""

from __future__ import annotations

from services.json_reads import Node, Relation

USER = Node(
    {
        "id": "{t}.id",
        "login": "{t}.login",
        "email": "{t}.email",
        "email_confirmed": "{t}.email_confirmed",
        "phone": "{t}.phone",
        "phone_confirmed": "{t}.phone_confirmed",
        "city": "{t}.city",
        "subscribed_to_mailing": "{t}.subscribed_to_mailing",
        "allow_readings_without_auth": "{t}.allow_readings_without_auth",
        "receipt_copies": "{t}.receipt_copies",
        "reminder_channel": "{t}.reminder_channel",
    }
)

# `{user}`: the id of the user whose session the request's token holds, checked in Python
# (auth.check_token) before the statement runs; none without a token.
SIGNED_IN_USER = Relation(USER, 'FROM "user" {t} WHERE {t}.id = {user}')
