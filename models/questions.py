"""Questions to support («Задать вопрос») and the operators' answers."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import QuestionStatus, QuestionTopic


class Question(Model):
    """A question sent to support from the cabinet or the site, and its answer."""

    id = fields.IntField(primary_key=True)
    # The number people quote, e.g. В-2026-000123 (the year and the id); set with the row.
    number = fields.CharField(max_length=24, unique=True, null=True)
    # The signed-in asker; null for a question sent without signing in.
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="questions", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    topic = fields.CharEnumField(QuestionTopic, max_length=16)
    text = fields.TextField()
    # As typed (trimmed). For a signed-in asker it is one of their accounts; without sign-in it
    # is only recorded, never looked up.
    account_number = fields.CharField(max_length=32, null=True)
    account_verified = fields.BooleanField(default=False)
    # Where the answer goes: given by the asker, or the signed-in user's confirmed contacts.
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=16, null=True)
    status = fields.CharEnumField(QuestionStatus, max_length=8, default=QuestionStatus.OPEN)
    answer = fields.TextField(null=True)
    # The name of the API key the answer came through.
    answered_by = fields.CharField(max_length=128, null=True)
    answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "question"
        indexes = (Index(fields=["user_id", "created_at"]), Index(fields=["status", "id"]))
