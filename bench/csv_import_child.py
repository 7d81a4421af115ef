"""One CSV import in its own process, so that its peak memory is its own (`bench.csv_import` reads it).

    python -m bench.csv_import_child import PATH BUSINESS_ID USER_ID  # the product: upload, then the commit
    python -m bench.csv_import_child bare PATH BUSINESS_ID            # the baseline: csv + bulk_create

Prints one line of JSON: the seconds of each step (interpreter start excluded) and the peak
resident memory in MB.
"""

import csv
import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

BULK = 1000


def product(path: Path, business_id: int, user_id: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from accounts.models import Business, User
    from imports.csv_services import receive_csv, start_csv_run

    # The task runs here, as the worker would run it, rather than being queued for one.
    settings.IMPORT_CSV_SYNC_MAX_ROWS = 10**9
    business, user = Business.objects.get(pk=business_id), User.objects.get(pk=user_id)
    started = time.perf_counter()
    upload = TemporaryUploadedFile(path.name, "text/csv", path.stat().st_size, "utf-8")
    with path.open("rb") as source:
        while block := source.read(1024 * 1024):
            upload.write(block)
    upload.seek(0)
    csv_import = receive_csv(business=business, actor=user, kind="invoices", upload=upload)
    upload.close()  # as Django closes an upload after the request (the storage moved the file)
    received = time.perf_counter()
    # Straight to the commit, as the API allows: a dry run is the same run rolled back, as long.
    committed = start_csv_run(csv_import=csv_import, actor=user, dry_run=False)
    done = time.perf_counter()
    if committed.committed_at is None or committed.error_count:
        raise RuntimeError(f"the import ended with {committed.error_count} errors: {committed.errors[:3]}")
    return {
        "upload_seconds": received - started,
        "seconds": done - received,
        "created": committed.created_count,
    }


def bare(path: Path, business_id: int) -> dict[str, Any]:
    """The same rows, read with csv and written with bulk_create: no rule, no audit, no lock."""
    from ledger.models import Client, Invoice

    started = time.perf_counter()
    clients: dict[str, int] = {}
    batch: list[Invoice] = []
    created = 0

    def day(text: str) -> dt.date:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()

    def amount(text: str) -> Decimal:
        return Decimal(text.replace("\u202f", "").replace(" ", "").replace(",", "."))

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            number, name, siren, issued, due, excl, vat, incl, remaining = row[:9]
            if name not in clients:
                clients[name] = Client.objects.create(business_id=business_id, name=name, siren=siren).pk
            batch.append(
                Invoice(
                    business_id=business_id,
                    client_id=clients[name],
                    number=number,
                    issue_date=day(issued),
                    due_date=day(due),
                    total_excl_tax=amount(excl),
                    vat_amount=amount(vat),
                    total_incl_tax=amount(incl),
                    amount_due=amount(remaining),
                )
            )
            if len(batch) == BULK:
                created += len(Invoice.objects.bulk_create(batch))
                batch = []
    created += len(Invoice.objects.bulk_create(batch))
    return {"seconds": time.perf_counter() - started, "created": created}


def peak_resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def main() -> None:
    mode, path, business_id = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = product(path, business_id, int(sys.argv[4])) if mode == "import" else bare(path, business_id)
    print(json.dumps({**result, "peak_mb": peak_resident_mb()}))


if __name__ == "__main__":
    main()
