"""Moving money gets its own permission; looks at intake answers move to Wagtail's log entries.

The looks recorded so far in IntakeAccess are copied into the log (as bookings.view_intake,
with the same viewer and time) before the table goes, so no audit row is lost.
"""

from django.db import migrations


def copy_looks_to_log(apps, schema_editor):
    IntakeAccess = apps.get_model("bookings", "IntakeAccess")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not IntakeAccess.objects.exists():
        return
    booking_type, _ = ContentType.objects.get_or_create(app_label="bookings", model="booking")
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=booking_type, object_id=str(look.booking_id), label=f"Booking #{look.booking_id}",
            action="bookings.view_intake", user_id=look.viewer_id, timestamp=look.viewed_at, data={},
        )
        for look in IntakeAccess.objects.iterator()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0003_erasure_and_address_links'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='booking',
            options={'ordering': ['created_at', 'pk'], 'permissions': [('handle_money', 'Can mark paid and refund')]},
        ),
        migrations.RunPython(copy_looks_to_log, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='IntakeAccess',
        ),
    ]
