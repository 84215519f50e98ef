from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs and schedules"

    def ready(self):
        from wagtail.models import Page
        from wagtail.permissions import register_permission_policy

        from programs.permissions import ProgramPagePermissionPolicy

        # Here rather than in wagtail_hooks: page permissions are asked outside the admin too
        # (page.permissions_for_user in services and tests), before any hook module is loaded.
        register_permission_policy(Page, ProgramPagePermissionPolicy())
