"""Generated documentation stays in step with the code it is generated from."""

from pathlib import Path

from casemgr.lifecycles import diagrams

ROOT = Path(__file__).resolve().parents[2]


def test_the_lifecycle_diagrams_in_docs_are_current():
    text = (ROOT / "docs" / "lifecycles.md").read_text(encoding="utf-8")
    assert text.endswith(diagrams()), "run: casemgr lifecycle diagram, into docs/lifecycles.md"
