"""The facilitator's panel on the Wagtail admin home page."""

from django.utils import timezone
from wagtail.admin.ui.components import Component

from bookings.selectors import dashboard_for


class WeekAheadPanel(Component):
    name = "week_ahead"
    order = 50
    template_name = "bookings/admin/week_ahead_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        return {"dashboard": dashboard_for(user=self.request.user, now=timezone.now())}
