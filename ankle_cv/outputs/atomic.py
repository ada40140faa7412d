"""Write an output folder so that a half-written one never looks complete.

Files are staged in a hidden folder beside their destination and moved into place only
when every file is written; ``report.json`` moves last, so its presence means the folder
is complete. A failure while writing leaves the destination as it was; a failure while
moving (rare: the moves are renames within one folder) leaves it without a report.json,
which marks it incomplete.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Staging:
    """A staging folder: ``path(name)`` gives where to write each output file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        if name not in self.names:
            self.names.append(name)
        return self.root / name


@contextlib.contextmanager
def staged_outputs(out_dir: str | Path, *, last: str = "report.json") -> Iterator[Staging]:
    """Stage files for ``out_dir``; commit them on success, discard them on any error."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ankle-cv-partial-", dir=out))
    try:
        stage = Staging(tmp)
        yield stage
        names = sorted(stage.names, key=lambda n: n == last)
        # an older complete report must not vouch for the files being replaced
        if last in names:
            (out / last).unlink(missing_ok=True)
        for name in names:
            (tmp / name).replace(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
