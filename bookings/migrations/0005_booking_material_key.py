"""Each booking gets its own material key; 0004 makes it unique (Django's recipe for a unique field on
existing rows, in two migrations so PostgreSQL never alters a table with updates pending)."""

from django.db import migrations, models

import bookings.codes


def give_each_booking_a_key(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    for booking in Booking.objects.only("pk").iterator():
        Booking.objects.filter(pk=booking.pk).update(material_key=bookings.codes.new_material_key())


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0004_handle_money_intake_looks_in_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="material_key",
            field=models.CharField(default=bookings.codes.new_material_key, editable=False, max_length=32),
        ),
        migrations.RunPython(give_each_booking_a_key, migrations.RunPython.noop),
    ]
