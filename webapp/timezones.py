"""IANA time zone names, validated against the system's zone database."""

from functools import lru_cache
from zoneinfo import available_timezones


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def is_known_timezone(name: str | None) -> bool:
    return bool(name) and name in timezone_names()
