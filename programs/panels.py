"""Admin panels of the programs app."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from wagtail.admin.panels import Panel

from programs.models import Session


@dataclass(frozen=True)
class TimetableRow:
    starts: datetime
    ends: datetime
    note: str = ""


class SchedulePreviewPanel(Panel):
    """Lists a cohort's sessions in its local time: the preview the form asked for, or what is saved."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "programs/admin/schedule_preview_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            preview = getattr(self.form, "schedule_preview", None)
            if preview is not None:
                zone_name = self.instance.time_zone
                rows = [TimetableRow(starts, ends) for starts, ends in preview]
            else:
                zone_name, rows = self._saved_timetable()
            context.update(is_preview=preview is not None, zone_name=zone_name, rows=self._labels(rows, zone_name))
            return context

        @staticmethod
        def _labels(rows, zone_name) -> list[str]:
            # Formatted here: the template's date filter would turn them back into UTC.
            if not rows:
                return []
            zone = ZoneInfo(zone_name)
            labels = []
            for row in rows:
                starts, ends = row.starts.astimezone(zone), row.ends.astimezone(zone)
                label = f"{dateformat.format(starts, 'D j M Y, H:i')}–{dateformat.format(ends, 'H:i')} ({dateformat.format(starts, 'T')})"
                labels.append(f"{label} — {row.note}" if row.note else label)
            return labels

        def _saved_timetable(self):
            # Read from the database: on a rejected form the instance holds the bad input.
            if not self.instance.pk:
                return "", []
            sessions = list(Session.objects.filter(cohort_id=self.instance.pk).select_related("cohort"))
            if not sessions:
                return "", []
            rows = [TimetableRow(s.starts_at, s.ends_at, self._note(s)) for s in sessions]
            return sessions[0].cohort.time_zone, rows

        @staticmethod
        def _note(session) -> str:
            parts = []
            if session.status != Session.Status.SCHEDULED:
                parts.append(session.get_status_display())
            if session.is_rescheduled:
                parts.append("moved by hand")
            if session.topic:
                parts.append(session.topic)
            return " · ".join(parts)
