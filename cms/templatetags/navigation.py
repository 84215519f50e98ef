from django import template
from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("cms/includes/main_navigation.html", takes_context=True)
def main_navigation(context):
    request = context["request"]
    site = Site.find_for_request(request)
    root = site.root_page if site else None
    # Plain pages, not .specific(): a title and a URL need no per-type query.
    items = list(root.get_children().live().in_menu()) if root else []
    current = context.get("page")
    return {
        "root": root,
        "items": items,
        "current_path": current.path if current else "",
    }
