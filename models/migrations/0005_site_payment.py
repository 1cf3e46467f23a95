from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """Paying without signing in: site_payment, the pay token each site payment spent (one
    payment per token). A new table only: the payment table is left as it was."""
    dependencies = [('models', '0004_reading_period_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SitePayment',
            fields=[
                ('token_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='site_tokens', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'site_payment', 'app': 'models', 'pk_attr': 'token_id', 'table_description': 'A payment made on the site without signing in, and the pay token it spent: one payment'},
            bases=['Model'],
        ),
    ]
