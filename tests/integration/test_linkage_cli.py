"""File-to-file linkage through the command line, on generated data with known truth."""

from __future__ import annotations

import csv

from linkage.synthetic import generate


def test_linkage_run_writes_links_and_review_files_that_match_the_truth(runner, tmp_path):
    data = generate(4000, seed=11)
    data.write_csv(tmp_path)
    out, review = tmp_path / "links.csv", tmp_path / "review.csv"
    result = runner.invoke(
        args=[
            "linkage",
            "run",
            "--registry",
            str(tmp_path / "registry.csv"),
            "--tax",
            str(tmp_path / "tax.csv"),
            "--env",
            str(tmp_path / "env.csv"),
            "--out",
            str(out),
            "--review",
            str(review),
        ]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"source", "record_id", "uscc", "score", "decision"}
    assert {r["decision"] for r in rows} == {"match"}
    truth = data.truth_map()
    linked = {(r["source"], r["record_id"]): r["uscc"] for r in rows}
    wrong = [k for k, uscc in linked.items() if truth.get(k) != uscc]
    expected = {k for k, uscc in truth.items() if uscc}
    found = {k for k, uscc in linked.items() if truth.get(k) == uscc}
    precision = len(found) / len(linked)
    recall = len(found) / len(expected)
    assert wrong == [] and precision == 1.0
    assert recall > 0.99, recall
    assert review.exists()


def test_linkage_run_names_a_missing_column(runner, tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text("企业名称\n某某公司\n", encoding="utf-8")
    out = tmp_path / "links.csv"
    result = runner.invoke(args=["linkage", "run", "--registry", str(registry), "--out", str(out)])
    assert result.exit_code != 0
    assert "uscc" in result.output
