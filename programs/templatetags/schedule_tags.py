"""Showing session times: in the cohort's zone on the server, in the reader's zone by the browser."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from programs.time_zones import zone_label

register = template.Library()


@register.simple_tag
def session_time(session, zone_name: str):
    """`<time>` in the cohort's local time; static/js/local-times.js adds the reader's own."""
    zone = ZoneInfo(zone_name)
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return format_html(
        '<time datetime="{}" data-local-time data-ends="{}" data-zone="{}">{}–{} <span class="zone">{}</span></time>',
        session.starts_at.isoformat(),
        session.ends_at.isoformat(),
        zone_name,
        # strftime, not dateformat: this runs for every session on a program page.
        f"{starts:%a} {starts.day} {starts:%b %Y, %H:%M}",
        f"{ends:%H:%M}",
        zone_label(zone_name),
    )


@register.simple_tag
def local_date(value, zone_name: str, fmt: str = "j M Y"):
    """A date of an instant as the cohort's zone sees it."""
    return dateformat.format(value.astimezone(ZoneInfo(zone_name)), fmt) if value else ""


@register.filter
def zone_name_label(zone_name: str) -> str:
    """"America/New_York" -> "New York time"."""
    return zone_label(zone_name)
