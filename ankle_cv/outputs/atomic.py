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
import signal
import socket
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
    """Whether a process of this host exists (where that cannot be told: assume it does)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # someone else's process, or not a pid at all
        return True
    return True


def _host() -> str:
    return "".join(c for c in socket.gethostname() if c.isalnum())[:32] or "host"


def sweep_stale(out: Path) -> None:
    """Remove staging folders that this host's runs left when killed (a folder written from
    another host, or another pid namespace, is left alone: its run may be alive)."""
    mine = f"{PREFIX}{_host()}-"
    for stale in out.glob(f"{mine}*"):
        pid = stale.name[len(mine):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _pause_before_commit() -> None:
    with contextlib.suppress(ValueError):  # an unparsable test setting means no pause
        time.sleep(float(os.environ.get(PAUSE_ENV) or 0))


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM while the files move into place (the moves take
    milliseconds): an interruption then lands before or after the commit, never inside."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def staged_outputs(out_dir: str | Path, *, last: str = "report.json", owned: tuple[str, ...] = ()) -> Iterator[Staging]:
    """Stage files for ``out_dir``; commit them on success, discard them on any error. Files
    named in ``owned`` that this commit does not write are removed with it (an earlier run's
    pictures must not stand beside a new report)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sweep_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_host()}-{os.getpid()}-", dir=out))
    try:
        stage = Staging(tmp)
        yield stage
        _pause_before_commit()
        names = sorted(stage.names, key=lambda n: n == last)
        for name in names:  # on disk before they are named complete
            with open(tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
        with _signals_held():
            # an older complete report must not vouch for the files being replaced
            if last in names:
                (out / last).unlink(missing_ok=True)
            for name in owned:
                if name not in names:
                    (out / name).unlink(missing_ok=True)
            for name in names:
                (tmp / name).replace(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
