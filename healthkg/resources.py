"""Wall time and peak memory of a command (a workflow step or a whole workflow).

Peak memory is the largest resident set of any process the command started and waited for
(`getrusage(RUSAGE_CHILDREN).ru_maxrss`, which Linux keeps as the maximum over all reaped
descendants), so for a workflow of sequential steps it is the peak of its hungriest step. Linux
counts a child's memory from the fork, before exec, so a tiny command shows the size of the measuring
Python process (about 30 MB): a floor that does not matter for the workflows measured.
"""
import json
import platform
import resource
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional, Sequence


def measure(command: Sequence[str], name: Optional[str] = None, cwd: Optional[str] = None) -> dict:
    """Run `command` (no shell) and return its wall time, peak RSS and exit code.

    Call from a fresh process (scripts/time_workflow.py does) so earlier children do not set the peak.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    completed = subprocess.run(list(command), cwd=cwd)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"name": name or " ".join(command), "command": " ".join(command),
            "wall_seconds": round(wall, 2),
            # ru_maxrss is in kilobytes on Linux; a peak no higher than before is not this command's.
            "peak_rss_mb": round(peak_kb / 1024, 1) if peak_kb > before or before == 0 else None,
            "returncode": completed.returncode,
            "machine": f"{platform.machine()}, {_cpu_count()} cores, Python {platform.python_version()}",
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _cpu_count() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_record(record: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
