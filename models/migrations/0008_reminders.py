from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import MessageChannel, ReminderChannel, ReminderKind
from tortoise.fields.base import OnDelete
from tortoise import fields


class AddChannelColumn(ops.AddField):
    """AddField of the NOT NULL reminder_channel with DEFAULT 'EMAIL' in the database as well,
    so that the existing users get it (Tortoise's own AddField emits no DEFAULT and SQLite
    refuses a NOT NULL column without one on a non-empty table). A plain ADD COLUMN: no table
    rebuild, so the user table keeps its unique constraints."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        table = new_state.apps.get_model(f"{app_label}.{self.model_name}")._meta.db_table
        await state_editor.client.execute_script(
            f'ALTER TABLE "{table}" ADD COLUMN "{self.name}" VARCHAR(8) NOT NULL DEFAULT \'EMAIL\''
        )


class Migration(migrations.Migration):
    """Reminders: one row per reminder queued (unique per kind, user, meter and due date), the
    lease of the daily jobs, and where each user wants reminders to go (user.reminder_channel).
    New tables and a new column only."""
    dependencies = [('models', '0007_questions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DailyJob',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('last_day', fields.DateField(null=True)),
                ('holder', fields.CharField(null=True, max_length=128)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'daily_job', 'app': 'models', 'pk_attr': 'name', 'table_description': 'A job that runs once a day in one process of all: `last_day` is the local day of its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='WINDOW_OPENS: WINDOW_OPENS\nWINDOW_CLOSES: WINDOW_CLOSES\nVERIFICATION_SOON: VERIFICATION_SOON\nVERIFICATION_URGENT: VERIFICATION_URGENT', enum_type=ReminderKind, max_length=24)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('meter', fields.ForeignKeyField('models.Meter', source_field='meter_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('due_on', fields.DateField()),
                ('channel', fields.CharEnumField(description='SMS: sms\nEMAIL: email', enum_type=MessageChannel, max_length=8)),
                ('message', fields.ForeignKeyField('models.OutgoingMessage', source_field='message_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reminder', 'app': 'models', 'unique_together': (('kind', 'user', 'meter', 'due_on'),), 'pk_attr': 'id', 'table_description': 'One reminder queued in the outbox, inserted in the same transaction as its message: the'},
            bases=['Model'],
        ),
        AddChannelColumn(
            model_name='User',
            name='reminder_channel',
            field=fields.CharEnumField(default=ReminderChannel.EMAIL, description='EMAIL: EMAIL\nSMS: SMS\nNONE: NONE', enum_type=ReminderChannel, max_length=8),
        ),
    ]
