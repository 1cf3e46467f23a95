from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from tortoise.fields.base import OnDelete
from tortoise import fields

class AddColumnDefaultZero(ops.AddField):
    """AddField of a NOT NULL money column with DEFAULT 0 in the database as well, so that the
    existing payments get 0 (Tortoise's own AddField emits no DEFAULT and SQLite refuses a
    NOT NULL column without one on a non-empty table). A plain ADD COLUMN: no table rebuild.
    Money (DECIMAL, stored as text on SQLite as Tortoise does) or BIGINT columns."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        client = state_editor.client
        sqlite = client.capabilities.dialect == "sqlite"
        if isinstance(self.field, fields.BigIntField):
            column_type = "BIGINT"
        else:
            column_type = "VARCHAR(40)" if sqlite else "DECIMAL(14,2)"
        table = new_state.apps.get_model(f"{app_label}.{self.model_name}")._meta.db_table
        await client.execute_script(
            f'ALTER TABLE "{table}" ADD COLUMN "{self.name}" {column_type} NOT NULL DEFAULT 0'
        )


class Migration(migrations.Migration):
    """Refunds: what the acquirer returned of a payment (refunded_amount, refunded_at) and one
    payment_refund row per refund applied; what the sandbox emulator refunded of an order.
    New columns and a new table only: the payment table
    keeps its unique constraints and indexes."""
    dependencies = [('models', '0002_trust_and_journey')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PaymentRefund',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.CASCADE)),
                ('provider_status', fields.CharField(max_length=32)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('total', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment_refund', 'app': 'models', 'unique_together': (('payment', 'total'),), 'pk_attr': 'id', 'table_description': 'One refund of a payment as applied here (what it added and the total after it).'},
            bases=['Model'],
        ),
        AddColumnDefaultZero(
            model_name='Payment',
            name='refunded_amount',
            field=fields.DecimalField(default=Decimal('0'), max_digits=14, decimal_places=2),
        ),
        ops.AddField(
            model_name='Payment',
            name='refunded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddColumnDefaultZero(
            model_name='SandboxOrder',
            name='refunded_kopecks',
            field=fields.BigIntField(default=0),
        ),
    ]
