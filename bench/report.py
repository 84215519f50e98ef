"""Where benchmark figures go: bench/results.json, one section per benchmark, with the machine."""

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> dict:
    """What the figures were measured on (call with Django set up, to name the database server)."""
    import django
    import wagtail
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = f"{connection.vendor} {cursor.fetchone()[0]}"
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "database": database,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }


def update_results(section: str, figures: dict) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **figures}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
