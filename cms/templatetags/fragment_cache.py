"""`{% cached_fragment "name" vary1 vary2 [when=flag] [unless=flag] %}…{% endcached_fragment %}`

Django's `{% cache %}` keyed also by the host and the page cache's generation, so any edit or booking
that clears the page cache clears every fragment too. Safe only for markup that is the
same for every reader: never put `{% csrf_token %}` or anything personal inside. The fragment is only
rendered, not stored, when `when` is false or missing (a blank form: not for a bound one)
or `unless` is true (a Wagtail preview).
FRAGMENT_CACHE_SECONDS=0 turns it off.
"""

from django import template
from django.conf import settings
from django.core.cache import cache

from cms.page_cache import generation_key, give_up_on_cache

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, conditions):
        self.nodelist, self.name, self.vary_on, self.conditions = nodelist, name, vary_on, conditions

    def storable(self, context) -> bool:
        when, unless = self.conditions.get("when"), self.conditions.get("unless")
        return (when is None or bool(when.resolve(context))) and (unless is None or not unless.resolve(context))

    def render(self, context):
        seconds = settings.FRAGMENT_CACHE_SECONDS
        if not seconds or not self.storable(context):
            return self.nodelist.render(context)
        request = context.get("request")
        vary_on = [v.resolve(context) for v in self.vary_on]
        if request is None or any(value in (None, "") for value in vary_on):
            return self.nodelist.render(context)  # no request, or a key that would be shared by mistake
        key = generation_key(request, "fragment", self.name.resolve(context), *vary_on)
        if key is None:
            return self.nodelist.render(context)
        try:
            stored = cache.get(key)
        except Exception:
            give_up_on_cache(request, "Fragment cache")
            return self.nodelist.render(context)
        if stored is not None:
            return stored
        rendered = self.nodelist.render(context)
        try:
            cache.set(key, rendered, seconds)
        except Exception:
            give_up_on_cache(request, "Fragment cache")
        return rendered


@register.tag
def cached_fragment(parser, token):
    bits = token.split_contents()[1:]
    conditions = {}
    while bits and bits[-1].startswith(("when=", "unless=")):
        keyword, expression = bits.pop().split("=", 1)
        conditions[keyword] = parser.compile_filter(expression)
    if not bits or "=" in bits[0]:
        raise template.TemplateSyntaxError("cached_fragment needs a name first")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[1:]]
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[0]), vary_on, conditions)
