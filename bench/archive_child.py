"""One archive run in its own process, so that its peak memory is its own (`bench.archive` reads it).

    python -m bench.archive_child export EXPORT_ID   # the product's task, as the worker runs it
    python -m bench.archive_child bare EXPORT_ID     # the baseline: same letters, bare Typst, plain ZIP

Prints one line of JSON: the outcome and the seconds the work took (interpreter start excluded).
"""

import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def export(export_id: int) -> str:
    from dunning.archive_task import build_archive_export

    outcome: str = build_archive_export.call(export_id)
    return outcome


# What `typst.Compiler` takes once; the rest of `bare_compile_arguments` goes to each compile.
COMPILER = ("root", "font_paths", "ignore_system_fonts")


def bare(export_id: int) -> str:
    """The same reminders in the same chunks: their stored PDFs into a ZIP, their letters through Typst."""
    import typst

    from dunning.archive_task import CHUNK_SIZE
    from dunning.facts import rendered_from_snapshot
    from dunning.letter import LETTER_TEMPLATE, bare_compile_arguments
    from dunning.models import ArchiveExport, Reminder
    from dunning.queries import archived_reminders

    # One compiler for the run, as the product keeps one per process: fonts are parsed once.
    compiler = typst.Compiler(**{k: v for k, v in bare_compile_arguments(LETTER_TEMPLATE, {}).items() if k in COMPILER})
    archive = ArchiveExport.objects.get(pk=export_id)
    ids = list(
        archived_reminders(
            business_id=archive.business_id,
            date_from=archive.date_from,
            date_to=archive.date_to,
            include_inactive=archive.include_inactive,
        ).values_list("pk", flat=True)
    )
    with (
        tempfile.TemporaryDirectory(prefix="relance-bench-") as directory,
        zipfile.ZipFile(Path(directory) / "bare.zip", "w", compression=zipfile.ZIP_DEFLATED) as bundle,
    ):
        for start in range(0, len(ids), CHUNK_SIZE):
            documents = []
            for reminder in Reminder.objects.filter(pk__in=ids[start : start + CHUNK_SIZE]).order_by("frozen_at", "id"):
                bundle.write(reminder.pdf.path, reminder.pdf_filename)
                documents.append(rendered_from_snapshot(reminder).letter.document())
            payload = {"title": documents[0]["title"], "author": documents[0]["author"], "letters": documents}
            arguments = bare_compile_arguments(LETTER_TEMPLATE, payload)
            pdf = compiler.compile(**{k: v for k, v in arguments.items() if k not in COMPILER})
            assert isinstance(pdf, bytes)
            (Path(directory) / f"chunk-{start}.pdf").write_bytes(pdf)
    return f"{len(ids)} letters"


def main() -> None:
    mode, export_id = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    started = time.perf_counter()
    outcome = export(export_id) if mode == "export" else bare(export_id)
    seconds = time.perf_counter() - started
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_resident_mb()}))


def peak_resident_mb() -> float:
    """This process's own peak (VmHWM) and that of the render processes it started.

    Not `wait4`'s figure in the parent: on exec, Linux carries the forking process's peak into
    the child's ru_maxrss, so a child of a big bench process reports the bench's peak."""
    status = Path("/proc/self/status").read_text()
    own_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own_kb, children_kb) / 1024


if __name__ == "__main__":
    main()
