"""Write an output folder so that a half-written one never looks complete.

Files are staged in a hidden folder beside their destination and moved into place only
when every file is written; ``report.json`` moves last, so its presence means the folder
is complete. A failure while writing leaves the destination as it was; a failure while
moving (rare: the moves are renames within one folder) leaves it without a report.json,
which marks it incomplete. A run killed outright (SIGKILL) leaves its hidden staging folder
behind; the next run into the same folder removes it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PREFIX = ".ankle-cv-partial-"
#: Seconds to wait with every file staged, before committing them (fault-injection tests
#: signal the run in this window; unset in normal use).
PAUSE_ENV = "ANKLE_CV_PAUSE_BEFORE_COMMIT_S"


class Staging:
    """A staging folder: ``path(name)`` gives where to write each output file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        if name not in self.names:
            self.names.append(name)
        return self.root / name


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep_stale(out: Path) -> None:
    """Remove staging folders of runs that no longer exist (killed before they could)."""
    for stale in out.glob(f"{PREFIX}*"):
        pid = stale.name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staged_outputs(out_dir: str | Path, *, last: str = "report.json") -> Iterator[Staging]:
    """Stage files for ``out_dir``; commit them on success, discard them on any error."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sweep_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=out))
    try:
        stage = Staging(tmp)
        yield stage
        if os.environ.get(PAUSE_ENV):
            time.sleep(float(os.environ[PAUSE_ENV]))
        names = sorted(stage.names, key=lambda n: n == last)
        # an older complete report must not vouch for the files being replaced
        if last in names:
            (out / last).unlink(missing_ok=True)
        for name in names:
            (tmp / name).replace(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
