"""The Facilitators group keeps only "add" on the program index.

It used to hold change and publish there too, which reached every program under it (a hook
guarded only edit, delete and copy). Change and publish on a program now come from leading it
(programs.permissions.ProgramPagePermissionPolicy), so nothing else has to be created here.
"""

from django.db import migrations

FACILITATORS_GROUP = "Facilitators"


def narrow_facilitators_group(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=FACILITATORS_GROUP,
        page__content_type__app_label="cms",
        page__content_type__model="programindexpage",
    ).exclude(permission__codename="add_page").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_session_status_ends_at"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(narrow_facilitators_group, migrations.RunPython.noop)]
