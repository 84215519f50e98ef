"""bench/run.py's table: each figure beside its baseline, with the issue's targets at 1,000 cohorts."""

from bench.run import markdown_table, summary_rows


def page(uncached, fragments, cached, wagtail=300.0, bare=3000.0):
    return {
        "uncached_per_second": uncached, "ratio_vs_wagtail": round(uncached / wagtail, 2),
        "fragments_per_second": fragments, "fragments_ratio_vs_wagtail": round(fragments / wagtail, 2),
        "cached_per_second": cached, "ratio_vs_bare": round(cached / bare, 2), "queries": 5,
    }


RESULTS = {
    "pages": {"figures": {
        size: {
            "pages": {"program_index": page(60.0, 330.0, 1200.0)},
            "baselines": {"bare_per_second": {"uncached_server": 3000.0, "cached_server": 2000.0},
                          "wagtail_per_second": {"uncached_server": 300.0}},
        }
        for size in ("10", "1000")
    }},
    "booking_contention": {"throughput": {"by_workers": {
        "2": {"seats_per_second": 700.0, "bare_per_second": 1200.0, "ratio": 0.583},
    }}},
    "expansion": {"by_size": {"100": {"seconds": 0.3, "bulk_insert_floor_seconds": 0.1, "ratio": 0.33}},
                  "per_cohort_growth": 1.02, "linear": True},
}


def test_targets_apply_at_1000_cohorts_only_and_say_whether_they_are_met():
    rows = {row["figure"]: row for row in summary_rows(RESULTS)}

    assert rows["program_index, 10 cohorts, uncached (page cache off)"]["target"] is None
    uncached = rows["program_index, 1000 cohorts, uncached (page cache off)"]
    assert (uncached["value"], uncached["target"], uncached["met"]) == (330.0, 1.0, True)  # 1.1 × stock Wagtail
    no_caches = rows["program_index, 1000 cohorts, no caches at all"]
    assert (no_caches["ratio"], no_caches["target"], no_caches["met"]) == (0.2, None, None)  # shown, not judged
    assert rows["program_index, 1000 cohorts, page cache"]["met"] is False  # 0.4 × bare: short of 0.5
    assert rows["program_index, 1000 cohorts, page cache"]["baseline_value"] == 3000.0  # the better bare rate
    assert rows["seats taken, one cohort, 2 processes"]["met"] is True
    assert rows["expansion time per cohort, largest size ÷ smallest"]["met"] is True


def test_the_markdown_table_has_a_row_per_figure_and_marks_what_is_short():
    rows = summary_rows(RESULTS)
    table = markdown_table(rows, {"cpu_count": 2, "measured_at": "2026-11-24"})

    assert table.count("\n| ") == len(rows) + 1  # the header, then one line per figure
    assert "**no**" in table and "| yes |" in table
