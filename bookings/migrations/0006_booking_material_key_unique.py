from django.db import migrations, models

import bookings.codes


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0005_booking_material_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="material_key",
            field=models.CharField(default=bookings.codes.new_material_key, editable=False, max_length=32, unique=True),
        ),
    ]
