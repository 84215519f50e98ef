"""Every hot filter has an index whose leading columns match it, on whichever database runs the suite."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# (table, the columns a hot query filters on, in the index's order; what uses it)
HOT_FILTERS = [
    ("programs_cohort", ["status", "start_date"], "the admin's and the public pages' open cohorts"),
    ("programs_session", ["starts_at"], "the week ahead, prep emails due, the public timetable"),
    ("programs_session", ["status", "ends_at"], "public pages: cohorts with a session still to come"),
    ("programs_session", ["cohort_id"], "a cohort's timetable"),
    ("bookings_booking", ["cohort_id", "state"], "seats taken, rosters"),
    ("bookings_booking", ["state", "hold_expires_at"], "lapsed holds, unpaid bookings"),
    ("bookings_emaillog", ["status", "due_at"], "emails due to be sent"),
]


def index_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"] or c["primary_key"]]


@pytest.mark.parametrize(("table", "columns", "used_by"), HOT_FILTERS, ids=[f"{t}({','.join(c)})" for t, c, _ in HOT_FILTERS])
def test_a_hot_filter_has_an_index(table, columns, used_by):
    assert any(existing[: len(columns)] == columns for existing in index_columns(table)), (
        f"{table} has no index starting with {columns} ({used_by})"
    )
