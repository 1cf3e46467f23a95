from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import PaymentMethod
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Payment',
            name='method',
            field=fields.CharEnumField(null=True, description='CARD: CARD\nSBP: SBP\nOFFLINE: OFFLINE', enum_type=PaymentMethod, max_length=8),
        ),
    ]
