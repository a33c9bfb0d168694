"""Nothing a learner receives cites the project's private research notes.

The notes live in a folder beside the checkout, which a person who clones the repository does not
have. Notebooks, the README, the helpers package and the data folder cite
``notebooks/REFERENCES.md`` or the primary source instead. Tests may still read the notes to
cross-check data (``tests/conftest.py``'s ``shared_reference`` fixture), so ``tests/`` is not scanned.

Bug caught: a citation of the facts sheet ("see <facts sheet> §4") left in a notebook cell, a
docstring or a data README. The forbidden names are assembled below, so that this file does not
cite the notes itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTES = "shared"
FACT_SHEETS = ("hf-api" + "-facts.md", "pricing" + "-facts.md")
CITATIONS = ("../" + NOTES, NOTES + "/reference", *FACT_SHEETS)
FORBIDDEN = re.compile("|".join(re.escape(c) for c in CITATIONS))
SCANNED = ("notebooks", "helpers", "data")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def scanned_files(root: Path) -> list[Path]:
    """Return every text file a learner receives: root READMEs and the scanned folders."""
    files = sorted(root.glob("README*"))
    for folder in SCANNED:
        files += sorted(
            p
            for p in (root / folder).rglob("*")
            if p.is_file() and not SKIP_PARTS.intersection(p.parts)
        )
    return files


def offenders(root: Path) -> list[str]:
    """Return ``path:line: text`` for every line that cites the private notes."""
    found = []
    for path in scanned_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:120]}")
    return found


def test_no_notebook_readme_helpers_module_or_data_file_cites_the_private_notes():
    found = offenders(ROOT)
    assert not found, "cite notebooks/REFERENCES.md or the primary source:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "mention",
    [
        f"see {CITATIONS[0]}/reference/{FACT_SHEETS[0]} §4",
        f"copied from {CITATIONS[1]}/endpoints_pricing.csv",
        f"({FACT_SHEETS[1]} §2)",
        FACT_SHEETS[0],
    ],
)
def test_the_scan_finds_each_form_of_citation(tmp_path, mention):
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "module.py").write_text(f'"""Doc.\n\n{mention}\n"""\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(f"# {CITATIONS[0]} is fine in tests\n")
    assert offenders(tmp_path) == [f"helpers/module.py:3: {mention}"]


REFERENCES = ROOT / "notebooks" / "REFERENCES.md"
NAMED_SECTION = re.compile(r'REFERENCES\.md[`,]*\s*,?\s*\(?"([^"]+)"')


def test_every_section_that_the_helpers_cite_exists_in_references():
    # Bug caught: a docstring citing REFERENCES.md, "Streaming" after the section was renamed.
    text = REFERENCES.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", text, re.M))
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"', text))
    missing = []
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        source = " ".join(path.read_text(encoding="utf-8").split())  # citations wrap lines
        missing += [
            f"{path.name}: {n!r}" for n in NAMED_SECTION.findall(source) if n not in headings
        ]
        for match in re.finditer(r"REFERENCES\.md`*\s*\[([a-z0-9-]+)\]", source):
            if match.group(1) not in anchors:
                missing.append(f"{path.name}: [{match.group(1)}]")
    assert missing == []
