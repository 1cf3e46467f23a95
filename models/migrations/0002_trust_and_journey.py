from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    """Trust and the customer's journey: rate counters (limits reserved before the work), the
    security code solved in publicMeters, when a user's contacts last changed, and the secrets
    of outbox messages (cut out once sent or expired)."""

    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('count', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rate_counter', 'app': 'models', 'pk_attr': 'key', 'table_description': 'How much of a limit is used in one window (codes sent to a phone today, sign-in failures'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PublicReadingsPass',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='public_readings_passes', on_delete=OnDelete.CASCADE)),
                ('answer_hash', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'public_readings_pass', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A security code solved in publicMeters, good for submitPublicReadings of that account.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='contacts_updated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutgoingMessage',
            name='secrets',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='OutgoingMessage',
            name='secrets_expire_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
    ]
