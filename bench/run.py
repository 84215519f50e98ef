"""Every benchmark, one after another, then one table of each figure beside its baseline and target.

    make bench                        # or: .venv/bin/python bench/run.py [--quick] [--only pages,expansion]

Each benchmark runs in its own process on a scratch database of the local PostgreSQL
(DATABASE_URL names the server; default postgres://postgres@127.0.0.1:5432/postgres) and
writes its own section of bench/results.json; this script then adds a "summary" section with
the table and the machine, and prints it. Nothing here touches the site's own data. The page
benchmark needs Debian's `wrk` and the local Redis.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"

# name: (script, arguments, arguments with --quick, seconds it may take at most)
BENCHMARKS = {
    "pages": ("pages.py", [], ["--sizes", "10,1000", "--duration", "2"], 1200),
    "booking_contention": ("booking_contention.py", [], ["--attempts", "500"], 900),
    "email_dispatch": ("email_dispatch.py", [], ["--bookings", "200"], 600),
    "expansion": ("expansion.py", [], ["--sizes", "100,1000"], 600),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, for trying the benchmarks out")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="a comma-separated subset of: " + ", ".join(BENCHMARKS))
    parser.add_argument("--summary-only", action="store_true", help="only rebuild the table from bench/results.json")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too (for the README)")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return args


def run_benchmark(name: str, *, quick: bool) -> bool:
    script, arguments, quick_arguments, limit = BENCHMARKS[name]
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_SERVER)}
    print(f"\n== {name}", flush=True)
    started = time.monotonic()
    try:
        finished = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *(quick_arguments if quick else arguments)],
            cwd=ROOT, env=env, timeout=limit,
        )
    except subprocess.TimeoutExpired:
        print(f"{name} took longer than {limit} s and was stopped", file=sys.stderr)
        return False
    print(f"== {name}: {'done' if finished.returncode == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return finished.returncode == 0


def summary_rows(results: dict) -> list[dict]:
    """One row per figure: its value, its baseline, their ratio, and the target where the issue sets one."""
    rows = []

    def row(figure, value, unit, baseline_name, baseline, ratio, target=None):
        met = None if target is None else ratio >= target
        rows.append({"figure": figure, "value": value, "unit": unit, "baseline": baseline_name,
                     "baseline_value": baseline, "ratio": ratio, "target": target, "met": met})

    pages = results.get("pages", {}).get("figures", {})
    largest = max(pages, key=int) if pages else None
    for size, figures in sorted(pages.items(), key=lambda item: int(item[0])):
        base = figures["baselines"]
        at_target_size = size == largest
        for page, figure in figures["pages"].items():
            # "Uncached" is a page the anonymous readers' page cache does not answer: every logged-in
            # reader's, and each first read. The fragment and route caches, which every reader shares,
            # still apply; with those off too ("no caches") is shown for comparison, without a target.
            row(f"{page}, {size} cohorts, uncached (page cache off)", figure["fragments_per_second"], "req/s",
                "stock Wagtail page", base["wagtail_per_second"]["uncached_server"],
                figure["fragments_ratio_vs_wagtail"], 1.0 if at_target_size else None)
            row(f"{page}, {size} cohorts, no caches at all", figure["uncached_per_second"], "req/s",
                "stock Wagtail page", base["wagtail_per_second"]["uncached_server"], figure["ratio_vs_wagtail"])
            row(f"{page}, {size} cohorts, page cache", figure["cached_per_second"], "req/s",
                "bare Django view", max(base["bare_per_second"].values()), figure["ratio_vs_bare"],
                0.5 if at_target_size else None)

    contention = results.get("booking_contention", {}).get("throughput", {}).get("by_workers", {})
    for workers, figure in contention.items():
        row(f"seats taken, one cohort, {workers} processes", figure["seats_per_second"], "seats/s",
            "bare lock + insert", figure["bare_per_second"], figure["ratio"], 0.5)

    email = results.get("email_dispatch", {}).get("postgresql", {}).get("throughput")
    if email:
        row("emails sent through planner, queue and worker", email["pipeline_messages_per_second"], "msg/s",
            "raw send of the same messages", email["baseline_messages_per_second"], email["ratio"])

    expansion = results.get("expansion", {})
    for size, figure in expansion.get("by_size", {}).items():
        row(f"schedule expansion, {size} cohorts × 12 sessions", figure["seconds"], "s",
            "bulk insert of the same rows (s)", figure["bulk_insert_floor_seconds"], figure["ratio"])
    if expansion:
        growth = expansion["per_cohort_growth"]
        rows.append({"figure": "expansion time per cohort, largest size ÷ smallest", "value": growth, "unit": "×",
                     "baseline": "linear", "baseline_value": 1.0, "ratio": growth, "target": "≤ 1.5",
                     "met": expansion["linear"]})
    return rows


def print_table(rows: list[dict], machine: dict) -> None:
    print(f"\n{'figure':<58} {'value':>10} {'baseline':>10} {'ratio':>7} {'target':>7}  met")
    for r in rows:
        target = "" if r["target"] is None else (f"≥{r['target']}" if isinstance(r["target"], float) else r["target"])
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['figure']:<58} {r['value']:>10} {r['baseline_value']:>10} {r['ratio']:>7} {target:>7}  {met}")
    print(f"\nmachine: {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB, {machine.get('platform')}, "
          f"Python {machine.get('python')}, Django {machine.get('django')}, Wagtail {machine.get('wagtail')}, "
          f"{machine.get('database')}")


def markdown_table(rows: list[dict], machine: dict) -> str:
    lines = [
        f"Measured {machine.get('measured_at', '')} on {machine.get('cpu_count')} cores, {machine.get('memory_gib')} GiB, "
        f"{machine.get('platform')}; Python {machine.get('python')}, Django {machine.get('django')}, "
        f"Wagtail {machine.get('wagtail')}, {machine.get('database')}.",
        "",
        "| figure | value | baseline | ratio | target | met |",
        "|---|---:|---|---:|---|---|",
    ]
    for r in rows:
        target = "" if r["target"] is None else (f"≥ {r['target']}" if isinstance(r["target"], float) else r["target"])
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['figure']} | {r['value']:,} {r['unit']} | {r['baseline']}: {r['baseline_value']:,} | "
                     f"{r['ratio']} | {target} | {met} |")
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    ok = True
    if not args.summary_only:
        for name in args.only:
            ok = run_benchmark(name, quick=args.quick) and ok
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    rows = summary_rows(results)
    measured = [section for name, section in results.items() if name != "summary" and "machine" in section]
    machine = {**measured[0]["machine"], "measured_at": max(section["measured_at"] for section in measured)[:10]} if measured else {}
    results["summary"] = {"rows": rows, "machine": machine, "quick": args.quick}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(rows, machine)
    if args.markdown:
        print("\n" + markdown_table(rows, machine))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
