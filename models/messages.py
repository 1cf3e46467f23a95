"""The outbox: every SMS and e-mail is written here first and sent by a background sender."""

from tortoise import fields
from tortoise.models import Model

from models.enums import MessageChannel, MessageStatus


class OutgoingMessage(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharEnumField(MessageChannel, max_length=8)
    to = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=255, null=True)
    body = fields.TextField()
    # [{"filename": ..., "contentType": ..., "data": base64}]
    attachments: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    status = fields.CharEnumField(MessageStatus, max_length=8, default=MessageStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    # The parts of the body that are secrets (a code, a link with a token): cut out of the body
    # once the message is sent or secrets_expire_at passes, and out of any logged error.
    secrets: fields.JSONField[list[str] | None] = fields.JSONField(null=True)
    secrets_expire_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outgoing_message"
