"""The batch's output folder, replaced whole or not at all.

A run writes its files into a temporary folder *beside* the output folder
(same file system, so a rename moves it), then swaps the two in one step:
``renameat2(RENAME_EXCHANGE)`` on Linux, which file systems such as ext4, xfs,
btrfs and tmpfs support. Whatever moment the job is killed (SIGKILL of its
whole process group included), the output folder holds the previous run's
complete set or the new run's complete set, never a mix; a temporary folder
left behind by a killed run is removed by the next run.

Where the exchange is not available, two renames are used (output → ``.old``,
new → output); a run killed between them leaves no output folder but the
previous set in ``.NAME.hanchot-old-PID``, which the next run puts back before
anything else.

``summary.json`` lists each file with its row count and SHA-256 digest, so a
reader can check the set it found (:func:`verify`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import re
import shutil
import signal
from pathlib import Path
from typing import Any

from hanchot.errors import InputError

SUMMARY = "summary.json"
# The files a batch writes; a folder holding anything else is not replaced.
_OUTPUT_FILE = re.compile(r"^(?:(?:obligations|violations|rejected)\.(?:jsonl|csv|parquet)|summary\.json)$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _temp_name(target: Path, kind: str, pid: int) -> Path:
    return target.with_name(f".{target.name}.hanchot-{kind}-{pid}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def test_kill_point(moment: str) -> None:
    """Test hook: ``HANCHOT_TEST_KILL_AT=moment`` SIGKILLs the whole process group there."""
    if os.environ.get("HANCHOT_TEST_KILL_AT") == moment:
        os.killpg(os.getpgid(0), signal.SIGKILL)


class OutputFolder:
    """A temporary folder beside *target*, swapped into its place by :meth:`commit`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        _recover(target)
        check_replaceable(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path = _temp_name(target, "new", os.getpid())
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir()

    def commit(self) -> None:
        """Put the new set in place of the old one, in one step where the system allows."""
        _fsync_dir(self.path)
        if self.target.exists() and _exchange(self.path, self.target):
            test_kill_point("swapped")
            shutil.rmtree(self.path)  # now the previous set
        else:
            old = _temp_name(self.target, "old", os.getpid())
            if self.target.exists():
                os.rename(self.target, old)
                test_kill_point("between-renames")
            os.rename(self.path, self.target)
            test_kill_point("swapped")
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(self.target.parent)

    def discard(self) -> None:
        """Remove the temporary folder (a failed or interrupted run)."""
        shutil.rmtree(self.path, ignore_errors=True)


def check_replaceable(target: Path) -> None:
    """Refuse an output folder that holds files a batch did not write (it would replace them)."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(f"--output {target}: exists and is not a folder")
    foreign = sorted(p.name for p in target.iterdir() if not _OUTPUT_FILE.match(p.name))
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise InputError(
            f"--output {target}: holds files a batch did not write ({shown}); "
            "a run replaces its output folder whole: give a new or empty folder, or a previous run's"
        )


def _recover(target: Path) -> None:
    """Undo what a killed run left beside *target*: put back a moved-away set, drop temporary folders."""
    parent = target.parent
    if not parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.hanchot-(new|old)-(\d+)$")
    for entry in sorted(parent.iterdir()):
        m = pattern.match(entry.name)
        if m is None or _pid_alive(int(m.group(2))) and int(m.group(2)) != os.getpid():
            continue
        if m.group(1) == "old" and not target.exists():
            os.rename(entry, target)  # killed between the two renames: the previous set comes back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not available."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), os.fspath(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_facts(path: Path) -> dict[str, Any]:
    """The row count and SHA-256 digest of an output file (rows: lines, less a CSV header)."""
    digest = hashlib.sha256()
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        rows = int(pq.ParquetFile(path).metadata.num_rows)
    else:
        rows = lines - 1 if path.suffix == ".csv" and lines else lines
    return {"rows": rows, "sha256": digest.hexdigest()}


def verify(folder: Path) -> list[str]:
    """The problems of an output folder: files missing, or not the rows and digest its summary names."""
    summary_path = folder / SUMMARY
    if not summary_path.exists():
        return [f"{folder}: no {SUMMARY}"] if folder.exists() and any(folder.iterdir()) else []
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    problems = []
    for name, facts in summary.get("files", {}).items():
        path = folder / name
        if not path.exists():
            problems.append(f"{path}: missing")
        elif file_facts(path) != facts:
            problems.append(f"{path}: not the file {SUMMARY} describes")
    listed = {name.split("/")[0] for name in summary.get("files", {})} | {SUMMARY}
    problems.extend(f"{folder / p.name}: not listed in {SUMMARY}" for p in folder.iterdir() if p.name not in listed)
    return problems
