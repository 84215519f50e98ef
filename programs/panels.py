"""Admin panels of the programs app."""

from wagtail.admin.panels import Panel


class SchedulePreviewPanel(Panel):
    """Lists a cohort's sessions in its local time: the preview the form asked for, or what is saved."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "programs/admin/schedule_preview_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            preview = getattr(self.form, "schedule_preview", None)
            context["preview"] = preview
            context["saved_sessions"] = [] if preview is not None or not self.instance.pk else list(
                self.instance.sessions.order_by("starts_at")
            )
            context["cohort"] = self.instance
            return context
