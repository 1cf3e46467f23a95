from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EbillDeliveryStatus, EbillSource
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    """The electronic bill: paperless accounts, the site's opt-ins waiting for their e-mail to
    be confirmed, and one delivery per account and period (reserved as the statement is
    imported). On merge: depend on the latest migration of main (0005 when it lands)."""

    dependencies = [('models', '0005_site_payment')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EbillDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='ebill_deliveries', on_delete=OnDelete.CASCADE)),
                ('period', fields.DateField()),
                ('status', fields.CharEnumField(default=EbillDeliveryStatus.PENDING, description='PENDING: PENDING\nQUEUED: QUEUED\nSKIPPED: SKIPPED\nFAILED: FAILED', enum_type=EbillDeliveryStatus, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('message_id', fields.IntField(null=True)),
                ('last_error', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'ebill_delivery', 'app': 'models', 'unique_together': (('account', 'period'),), 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'The bill of one period e-mailed to a paperless account: reserved (PENDING) in the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EbillRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='ebill_requests', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ebill_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An opt-in from the site, waiting for its e-mail to be confirmed by the link sent there.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EbillSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='ebill_subscription', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('active', fields.BooleanField(default=True)),
                ('source', fields.CharEnumField(description='CABINET: CABINET\nSITE: SITE', enum_type=EbillSource, max_length=8)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='ebill_subscriptions', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('stopped_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ebill_subscription', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An account that gets its bills by e-mail (active) or did (inactive), one row an account.'},
            bases=['Model'],
        ),
    ]
