"""The documentation stays true: generated tables match the code, the README stays short,
and relative links resolve.

``python -m tests.test_docs`` (``make docs``) rewrites the generated tables in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OUTPUTS = ROOT / "docs" / "outputs.md"
MAX_README_LINES = 180  # three commands, the pictures, the cm and the verdict, each in brief

_BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def generated_tables() -> dict[str, str]:
    """Marker name -> the markdown the code generates for it."""
    from ankle_cv.vocab import exit_codes_markdown, warning_codes_markdown

    return {"warning_codes": warning_codes_markdown(), "exit_codes": exit_codes_markdown()}


def generated_blocks(text: str) -> dict[str, str]:
    """Marker name -> the text between its markers, stripped."""
    return {m.group(2): m.group(3).strip() for m in _BLOCK.finditer(text)}


def regenerate(text: str) -> str:
    """``text`` with every generated block replaced by the code's current table."""
    tables = generated_tables()

    def fill(m: re.Match) -> str:
        return f"{m.group(1)}{tables[m.group(2)].strip()}\n{m.group(4)}"

    return _BLOCK.sub(fill, text)


def test_generated_tables_are_current():
    blocks = generated_blocks(OUTPUTS.read_text(encoding="utf-8"))
    for name, table in generated_tables().items():
        assert name in blocks, f"docs/outputs.md lacks the markers for {name!r}"
        assert blocks[name] == table.strip(), (
            f"docs/outputs.md: the {name!r} table is out of date with ankle_cv.vocab; run `make docs`")


def test_readme_is_short_and_keeps_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES, (
        f"README.md has {len(text.splitlines())} lines (at most {MAX_README_LINES}): move detail to docs/")
    assert "make demo" in text
    assert "make test" in text


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _doc_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def test_relative_links_resolve():
    broken = []
    for doc in _doc_files():
        for target in _LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
                continue  # http(s), mailto, ... and anchors in the same page
            path = target.split("#", 1)[0]
            if not (doc.parent / path).exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert not broken, "broken relative links:\n" + "\n".join(broken)


def main() -> int:
    text = OUTPUTS.read_text(encoding="utf-8")
    new = regenerate(text)
    if new != text:
        OUTPUTS.write_text(new, encoding="utf-8")
        print(f"updated {OUTPUTS.relative_to(ROOT)}")
    else:
        print(f"{OUTPUTS.relative_to(ROOT)} is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
