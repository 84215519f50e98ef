from django import template

register = template.Library()


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, "")


@register.filter
def join_if_list(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
