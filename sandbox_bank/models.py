"""The emulator's own record of an order (the bank's side, not ours). Registered in the
Tortoise app "models" (models/config.py) under its old name and table, so the migrations hold
it as before."""

from tortoise import fields
from tortoise.models import Model


class SandboxOrder(Model):
    """The sandbox acquirer own record of an order (the emulator side, not ours)."""

    id = fields.CharField(max_length=64, primary_key=True)
    order_id = fields.CharField(max_length=64, db_index=True)
    method = fields.CharField(max_length=8)
    amount_kopecks = fields.BigIntField()
    status = fields.CharField(max_length=32)
    notification_url = fields.CharField(max_length=1000)
    success_url = fields.CharField(max_length=1000, null=True)
    three_ds_code = fields.CharField(max_length=8, null=True)
    # What the operator refunded of a paid order so far (the emulator's refund endpoint).
    refunded_kopecks = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sandbox_order"
