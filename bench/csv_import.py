"""A 200,000-row CSV import of invoices (quick: 20,000): seconds and peak memory.

The file is written as Relance's own invoice export writes it (`;`, UTF-8 with BOM, decimal
comma, dd/mm/yyyy), one client per 50 invoices. The product imports it in a child process as
the worker would: upload (format detection), then the commit, each row through
`ledger.services`. The baseline, in another child, reads the same file with `csv` and writes
the same clients and invoices with `bulk_create`: what an import cannot avoid, without a rule,
an audit event or a row lock. Each child reports its own peak resident memory.
"""

import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from accounts.models import Business, User
from bench.common import Context, Result, below
from bench.data import generator

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 3600
ROWS = {"quick": 20_000, "full": 200_000}
HEADER = "N° facture;Client;SIREN;Date;Échéance;Montant HT;TVA;Montant TTC;Reste dû;Statut"


def french(cents: int) -> str:
    """1234567 → "12 345,67" with a narrow no-break space, as the export writes amounts."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", "\u202f") + f",{rest:02d}"


def write_file(path: Path, rows: int, seed: int) -> None:
    randomness = random.Random(seed)
    start = dt.date.today() - dt.timedelta(days=3 * 365)
    clients = max(1, rows // 50)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER + "\r\n")
        for number in range(1, rows + 1):
            issued = start + dt.timedelta(days=randomness.randrange(3 * 365 - 60))
            excl = randomness.randrange(5_000, 500_000)
            vat = excl // 5
            cells = [
                f"B-{number:07d}",
                f"Client {number % clients:05d}",
                "",
                f"{issued:%d/%m/%Y}",
                f"{issued + dt.timedelta(days=30):%d/%m/%Y}",
                french(excl),
                french(vat),
                french(excl + vat),
                french(excl + vat),
                "En retard",
            ]
            handle.write(";".join(cells) + "\r\n")


def run_child(arguments: list[str]) -> dict[str, Any]:
    process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "bench.csv_import_child", *arguments], stdout=subprocess.PIPE, cwd=ROOT
    )
    timer = threading.Timer(CHILD_TIMEOUT, process.kill)
    timer.start()
    try:
        output, _ = process.communicate()
    finally:
        timer.cancel()
    if process.returncode != 0:
        raise RuntimeError(f"csv import child ({arguments[0]}) exited with {process.returncode}")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    return result


def _business(label: str) -> tuple[Business, User]:
    business = Business.objects.create(legal_name=f"Import CSV ({label})", vat_status=Business.VatStatus.VAT)
    user = User.objects.create_user(
        f"csv-{label}-{os.getpid()}@{generator.BENCH_DOMAIN}", "relance-bench", business=business
    )
    return business, user


def measure_csv_import(context: Context) -> list[Result]:
    rows = ROWS[context.scale.name]
    path = context.out / "invoices.csv"
    write_file(path, rows, context.seed)
    size_mb = path.stat().st_size / 1024**2
    bare_business, _ = _business("bare")
    business, user = _business("import")
    bare = run_child(["bare", str(path), str(bare_business.pk)])
    product = run_child(["import", str(path), str(business.pk), str(user.pk)])
    if product["created"] != rows or bare["created"] != rows:
        raise RuntimeError(f"created {product['created']} and {bare['created']} invoices of {rows}")
    note = (
        f"{rows:,} invoices ({size_mb:.1f} MB, {rows // 50:,} clients), the commit; before it the upload "
        f"(format detection) took {product['upload_seconds']:.1f} s; a dry run costs as much as the commit; "
        "baseline: csv + bulk_create of the same rows"
    )
    return [
        Result("csv_import.seconds", product["seconds"], "s", bare["seconds"], note=note),
        Result("csv_import.rows_per_second", rows / product["seconds"], "rows/s", rows / bare["seconds"]),
        Result(
            "csv_import.peak_memory",
            product["peak_mb"],
            "MB",
            bare["peak_mb"],
            below(500, "MB"),
            note="peak resident memory of the child process (interpreter and Django included)",
        ),
    ]
