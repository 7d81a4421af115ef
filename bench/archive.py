"""The PDF archive export of every letter of the measured business: seconds and peak memory.

Setup (not measured): the generated reminders get their stored PDF/A letters, rendered on both
cores as freezing would have. Then the export runs as the worker would run it, in a child process
that reports its peak resident memory, its render processes' included (the largest single
process); so does the baseline, a child that puts the same stored PDFs in a plain ZIP and renders
the same letters, in the same chunks, with bare `typst.compile` in one process — what the export
cannot avoid doing.
"""

import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from accounts.models import User
from bench.common import Context, Result, below
from bench.data import generator
from dunning.models import ArchiveExport, Reminder
from dunning.queries import ARCHIVED_STATUSES

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 600


def run_child(mode: str, export_id: int) -> tuple[dict[str, Any], float]:
    """The child's JSON line and its peak resident memory in MB."""
    process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "bench.archive_child", mode, str(export_id)], stdout=subprocess.PIPE, cwd=ROOT
    )
    timer = threading.Timer(CHILD_TIMEOUT, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, _usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0:
        raise RuntimeError(f"archive child ({mode}) exited with {process.returncode}")
    lines = output.decode().strip().splitlines()
    result = json.loads(lines[-1])
    return result, float(result["peak_mb"])


def measure_archive(context: Context) -> list[Result]:
    reminders = Reminder.objects.filter(business_id=context.business_id, status__in=ARCHIVED_STATUSES)
    started = time.perf_counter()
    rendered = generator.store_reminder_pdfs(reminders)
    setup_seconds = time.perf_counter() - started
    first = reminders.order_by("frozen_at").values_list("frozen_at", flat=True).first()
    assert first is not None
    export = ArchiveExport.objects.create(
        business_id=context.business_id,
        requested_by=User.objects.get(pk=context.user_id),
        date_from=timezone.localdate(first),
        date_to=timezone.localdate(),
        include_inactive=True,
    )
    letters = reminders.count()
    bare, bare_memory = run_child("bare", export.pk)
    product, product_memory = run_child("export", export.pk)
    export.refresh_from_db()
    if product["outcome"] != "done" or export.status != ArchiveExport.Status.DONE:
        raise RuntimeError(f"the export ended {product['outcome']!r}: {export.error}")
    with zipfile.ZipFile(export.zip_file.path) as bundle:
        members = len(bundle.namelist())
    if members != letters + 1:
        raise RuntimeError(f"the ZIP holds {members} files for {letters} letters")
    sizes = f"ZIP {export.zip_size_text}, merged PDF {export.merged_pdf_size_text}"
    setup = f"setup rendered {rendered:,} stored letters in {setup_seconds:.0f} s ({rendered / setup_seconds:.0f}/s, 2 processes)"
    return [
        Result(
            "archive.seconds",
            product["seconds"],
            "s",
            bare["seconds"],
            below(120, "s"),
            note=f"{letters:,} letters; {sizes}; baseline: plain ZIP + bare Typst, same chunks; {setup}",
        ),
        Result(
            "archive.peak_memory",
            product_memory,
            "MB",
            bare_memory,
            below(500, "MB"),
            note="peak resident memory of the child process (interpreter and Django included)",
        ),
    ]
