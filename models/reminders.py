"""Reminders sent to customers, and the lease of the daily jobs that send them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import MessageChannel, ReminderKind
from models.identity import User
from models.messages import OutgoingMessage
from models.readings import Meter


class Reminder(Model):
    """One reminder queued in the outbox, inserted in the same transaction as its message: the
    unique key (kind, user, meter, due date) is what makes a reminder go at most once, whatever
    runs the daily pass and however often."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(ReminderKind, max_length=24)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reminders"
    )
    user_id: int
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name="reminders"
    )
    meter_id: int
    # The period of the readings (its first day), or the verification date.
    due_on = fields.DateField()
    channel = fields.CharEnumField(MessageChannel, max_length=8)
    message: fields.ForeignKeyNullableRelation[OutgoingMessage] = fields.ForeignKeyField(
        "models.OutgoingMessage", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    message_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reminder"
        unique_together = (("kind", "user", "meter", "due_on"),)


class DailyJob(Model):
    """A job that runs once a day in one process of all: `last_day` is the local day of its
    last completed run; `holder` holds it until `lease_until` (taken with a conditional UPDATE,
    services/daily.py), so a process that died mid-run lets another take over later."""

    name = fields.CharField(max_length=64, primary_key=True)
    last_day = fields.DateField(null=True)
    holder = fields.CharField(max_length=128, null=True)
    lease_until = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "daily_job"
