"""`python -m bench.run --quick | --full`: every measure against its bare baseline, in one run.

It prepares a dedicated database (a fresh SQLite file in bench/out/ unless DATABASE_URL says
otherwise, where only bench data is replaced), generates the data (`bench.data`), runs
the measures, prints a table and writes bench/out/results.json. A missed target is reported,
not fatal: this is a measurement, it exits 0 unless it could not run at all.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import FULL, QUICK, Context, Result, Scale, Target

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BUDGETS = {"quick": 180, "full": 900}
# Measures that write their own books and need none of the shared data: run alone, they skip it.
SELF_CONTAINED = {"csv_import", "scheduler"}

# The product as deployed: DEBUG off (templates cached, static files collected and hashed),
# over plain HTTP on the loopback, so no HTTPS redirect and no secure-only cookies.
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECRET_KEY": "relance-bench-only-not-a-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "TASKS_BACKEND": "database",
    "EMAIL_URL": "console://",
    "LOG_LEVEL": "WARNING",
}
# Variables that would point the bench at another configuration than its own.
CLEARED = ("RELANCE_TESTING", "MEDIA_ROOT", "DJANGO_ALLOW_ASYNC_UNSAFE")


def configure_environment(out: Path) -> bool:
    """Set the environment before Django reads its settings; True when the database is our SQLite file."""
    for name in CLEARED:
        os.environ.pop(name, None)
    os.environ.update(ENVIRONMENT)
    os.environ["RELANCE_VAR_DIR"] = str(out / "var")
    if os.environ.get("DATABASE_URL"):
        return False
    os.environ["DATABASE_URL"] = f"sqlite:///{out / 'bench.sqlite3'}"
    return True


def reset_files(out: Path, own_sqlite: bool) -> None:
    shutil.rmtree(out / "var" / "media", ignore_errors=True)
    (out / "var").mkdir(parents=True, exist_ok=True)
    if own_sqlite:
        for suffix in ("", "-wal", "-shm"):
            (out / f"bench.sqlite3{suffix}").unlink(missing_ok=True)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _first_line(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 (fixed program)
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def machine() -> dict[str, Any]:
    import sqlite3

    from django.db import connection

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = next((line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal:")), "0")
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    database = connection.vendor
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        version = connection.pg_version  # type: ignore[attr-defined]
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "cores": os.cpu_count(),
        "cpu": model or platform.processor(),
        "memory_gib": round(int(memory) / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "database": database,
        "django": _version("django"),
        "typst": _version("typst"),
        "weasyprint": _version("weasyprint"),
        "gunicorn": _version("gunicorn"),
        "wrk": _first_line(["wrk", "-v"]),
    }


def prepare_data(context: Context, own_sqlite: bool) -> str:
    """Migrate, collect static files, write the data; the measured business and a small one go in `context`."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from bench.data import generator

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not own_sqlite:
        removed = generator.remove_bench_data(tenants=False)
        if removed:
            print(f"  removed {removed} business(es) left by an earlier bench run")
    scale = context.scale
    started = time.perf_counter()
    today = timezone.localdate()
    main = generator.generate(
        businesses=1,
        invoices_per_business=scale.invoices,
        seed=context.seed,
        today=today,
        reminders_per_business=scale.reminders,
        progress=lambda line: print(f"  {line}"),
    )
    others = generator.generate(
        businesses=scale.other_businesses,
        invoices_per_business=scale.other_invoices,
        seed=context.seed + 1,
        today=today,
    )
    tenants_started = time.perf_counter()
    tenants_written = not generator.tenant_businesses().exists()
    if tenants_written:
        generator.generate_tenants(
            businesses=scale.tenants,
            median=200,
            largest=scale.tenant_largest,
            largest_count=scale.tenant_largest_count,
            seed=context.seed + 2,
            today=today,
        )
    tenants_seconds = time.perf_counter() - tenants_started
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of such a load in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    context.business_id, context.user_id = main.businesses[0].pk, main.users[0].pk
    context.small_business_id, context.small_user_id = others.businesses[0].pk, others.users[0].pk
    sizes = list(
        generator.tenant_businesses().annotate(size=Count("invoices")).order_by("size", "pk").values_list("pk", "size")
    )
    context.median_business_id, median_size = sizes[len(sizes) // 2]
    context.median_user_id = User.objects.filter(business_id=context.median_business_id).values_list("pk", flat=True)[0]
    how = f"written in {tenants_seconds:.0f} s" if tenants_written else "already in the database, kept"
    context.tenants = (
        f"{len(sizes):,} tenants with {sum(size for _, size in sizes):,} invoices ({how}); "
        f"median business {median_size:,} invoices, largest tenant {sizes[-1][1]:,}"
    )
    return (
        f"{main.invoices + others.invoices:,} invoices in {1 + scale.other_businesses} businesses "
        f"({main.invoices:,} with {main.unpaid:,} unpaid and {main.reminders:,} reminders in the measured one), "
        f"{main.payments + others.payments:,} payments, written in {time.perf_counter() - started:.0f} s"
    )


def measures() -> list[tuple[str, Callable[[Context], list[Result]]]]:
    from bench.archive import measure_archive
    from bench.csv_import import measure_csv_import
    from bench.letters import measure_letters
    from bench.pages import measure_bucket_listing, measure_late_payments
    from bench.scheduler import measure_scheduler
    from bench.throughput import measure_throughput

    # The archive last: it renders thousands of letters first, and it is the newest code.
    return [
        ("late_payments", measure_late_payments),
        ("bucket_listing", measure_bucket_listing),
        ("letter_pdf", measure_letters),
        ("http", measure_throughput),
        ("archive", measure_archive),
        ("csv_import", measure_csv_import),
        ("scheduler", measure_scheduler),
    ]


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "queries":
        return f"{value:.0f}"
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def table(results: list[Result]) -> str:
    header = ["name", "value", "unit", "baseline", "ratio", "target", "ok"]
    rows = [
        [
            result.name,
            _number(result.value, result.unit),
            result.unit,
            _number(result.baseline, result.unit),
            "—" if result.ratio is None else f"{result.ratio:.2f}",
            result.target.text if result.target else "—",
            {True: "yes", False: "NO", None: "—"}[result.ok],
        ]
        for result in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {1, 3, 4}

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_const", const=QUICK, dest="scale", help="10,000 invoices, 1,000 letters (< 3 min)"
    )
    size.add_argument(
        "--full", action="store_const", const=FULL, dest="scale", help="100,000 invoices, 10,000 letters (< 15 min)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated measures to run: "
        + ", ".join(["late_payments", "bucket_listing", "letter_pdf", "http", "archive", "csv_import", "scheduler"]),
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    scale: Scale = args.scale or QUICK
    started = time.perf_counter()
    load_before = os.getloadavg()
    out: Path = args.out.resolve()
    own_sqlite = configure_environment(out)
    reset_files(out, own_sqlite)
    import django

    django.setup()
    info = machine()
    context = Context(scale=scale, out=out, seed=args.seed)
    print(f"Relance bench ({scale.name}) — {info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']}")
    where = f"fresh SQLite file {out / 'bench.sqlite3'}" if own_sqlite else "DATABASE_URL from the environment"
    print(f"Database: {info['database']} ({where}); load average {load_before[0]:.2f} at start")
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    if wanted and wanted <= SELF_CONTAINED:
        from django.core.management import call_command

        from bench.data import generator

        call_command("migrate", interactive=False, verbosity=0)
        if not own_sqlite:
            generator.remove_bench_data(tenants=False)
        data = "none shared: the measures write their own"
        print(f"Data: {data}")
    else:
        data = prepare_data(context, own_sqlite)
        print(f"Data: {data}")
        print(f"Tenants: {context.tenants}")
    results: list[Result] = []
    durations = {}
    for name, measure in measures():
        if wanted and name not in wanted:
            continue
        began = time.perf_counter()
        print(f"… {name}", flush=True)
        try:
            results += measure(context)
        except Exception as error:  # a measure that breaks must not hide the others
            traceback.print_exc()
            results.append(
                Result(
                    name,
                    None,
                    "",
                    target=Target("runs to the end", lambda v, b: False),
                    note=f"{type(error).__name__}: {error}",
                )
            )
        durations[name] = round(time.perf_counter() - began, 1)
        print(f"  {durations[name]:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    print()
    print(table(results))
    print()
    for result in results:
        if result.note:
            print(f"- {result.name}: {result.note}")
    missed = [result.name for result in results if result.ok is False]
    print()
    print(f"Targets missed: {', '.join(missed)}" if missed else "Every target is held.")
    budget = BUDGETS[scale.name]
    print(
        f"Run took {elapsed:.0f} s (budget {budget} s: {'within' if elapsed < budget else 'OVER'}); "
        f"load average {load_before[0]:.2f} → {load_after[0]:.2f} on {info['cores']} cores."
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps([result.as_json() for result in results], indent=2, ensure_ascii=False) + "\n"
    )
    run = {
        "scale": scale.name,
        "machine": info,
        "data": data,
        "tenants": context.tenants,
        "seconds": round(elapsed, 1),
        "measure_seconds": durations,
        "load_average": {"start": load_before, "end": load_after},
        "notes": {result.name: result.note for result in results if result.note},
    }
    (out / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    print(f"Written: {out / 'results.json'}, {out / 'run.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
