"""An index on UPPER(number) for the public lookup by number (iexact), which scanned every certificate."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0002_name_trigram_index")]

    operations = [
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(django.db.models.functions.text.Upper("number"), name="certificate_number_upper"),
        ),
    ]
