"""Every URL pattern the project serves, read from Django's resolver (public API only)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class ServedPattern:
    """One URL pattern: its namespaced name (None if unnamed), its full route, and what it takes."""

    name: str | None
    route: str
    kwarg_names: tuple[str, ...]
    positional_groups: int

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0] if self.name else ""

    @property
    def key(self) -> str:
        """What the classification table matches: the name, or the route when there is none."""
        return self.name or self.route

    @property
    def label(self) -> str:
        return f"{self.name} ({self.route})" if self.name else self.route


def served_patterns() -> list[ServedPattern]:
    return list(_walk(get_resolver().url_patterns, route="", namespaces=(), kwargs=(), positional=0))


def _walk(entries, *, route, namespaces, kwargs, positional):
    for entry in entries:
        regex = entry.pattern.regex
        names = kwargs + tuple(regex.groupindex)
        unnamed = positional + regex.groups - len(regex.groupindex)
        full_route = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry.url_patterns, route=full_route, namespaces=inner, kwargs=names, positional=unnamed)
        elif isinstance(entry, URLPattern):
            name = ":".join(namespaces + (entry.name,)) if entry.name else None
            yield ServedPattern(name=name, route=full_route, kwarg_names=names, positional_groups=unnamed)
