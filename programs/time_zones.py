"""IANA time zones: validating a name, and turning a local wall time into an instant."""

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

UTC = ZoneInfo("UTC")

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in known_time_zones():
        raise ValidationError(
            "%(name)s is not a time zone we know. Use an IANA name such as Europe/London or America/New_York.",
            code="unknown_time_zone",
            params={"name": name},
        )


def local_start(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The instant at which `wall_time` on `day` happens in `zone`.

    Follows RFC 5545 (what calendar apps do) for the two awkward hours:
    - a wall time that does not exist (the spring-forward gap) is read with the offset
      from before the change, so 01:30 on the night London moves to BST becomes 02:30 BST;
    - a wall time that happens twice (the autumn fold) means the first of the two.
    zoneinfo gives exactly this with fold=0. The result is in UTC, as it is stored.
    """
    return datetime.combine(day, wall_time, tzinfo=zone).replace(fold=0).astimezone(UTC)


def local_span(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a session from `start` to `end` on `day` in `zone` begins and ends.

    It lasts as long as its wall times say, even when the start falls in the spring-forward
    gap: 01:15-02:15 on that night is 02:15-03:15 summer time, never a session of no length.
    """
    starts_at = local_start(day, start, zone)
    return starts_at, starts_at + (datetime.combine(day, end) - datetime.combine(day, start))


def zone_label(name: str) -> str:
    """"Europe/London" -> "London time", as a person would say it."""
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    return "UTC" if name in {"UTC", "Etc/UTC"} else f"{city} time"
