from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import QuestionStatus, QuestionTopic
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    """Questions to support (Задать вопрос) and the operators' answers: a new table only."""
    dependencies = [('models', '0006_ebill')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(null=True, unique=True, max_length=24)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.SET_NULL)),
                ('topic', fields.CharEnumField(description='PAYMENTS: PAYMENTS\nREADINGS: READINGS\nBILLS: BILLS\nACCOUNT: ACCOUNT\nOTHER: OTHER', enum_type=QuestionTopic, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('account_number', fields.CharField(null=True, max_length=32)),
                ('account_verified', fields.BooleanField(default=False)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('phone', fields.CharField(null=True, max_length=16)),
                ('status', fields.CharEnumField(default=QuestionStatus.OPEN, description='OPEN: OPEN\nANSWERED: ANSWERED', enum_type=QuestionStatus, max_length=8)),
                ('answer', fields.TextField(null=True, unique=False)),
                ('answered_by', fields.CharField(null=True, max_length=128)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'question', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at']), Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'A question sent to support from the cabinet or the site, and its answer.'},
            bases=['Model'],
        ),
    ]
