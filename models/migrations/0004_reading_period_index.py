from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    """A register's readings by period: the latest reading before a period (where a period
    starts from) is found through it, however long the history."""
    dependencies = [('models', '0003_refunds')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Reading',
            index=Index(fields=['register_id', 'period']),
        ),
    ]
