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


def test_linkage_import_then_link_applies_matches_in_the_database(runner, session, tmp_path):
    from sqlalchemy import select

    from casemgr.models import SourceRecord
    from tests.factories import EnterpriseFactory

    ent = EnterpriseFactory(name="贵州省遵义市鑫源化工有限公司", legal_representative="张三")
    session.commit()
    tax = tmp_path / "tax.csv"
    legacy = ent.uscc[2:8] + ent.uscc[8:17]  # division + organisation code (DOMAIN.md 6.3)
    tax.write_text(
        f"纳税人识别号,企业名称,法定代表人\n{legacy},遵义鑫源化工有限责任公司,张三\n",
        encoding="gb18030",
    )
    imported = runner.invoke(args=["linkage", "import", str(tax), "--source", "tax"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["linkage", "link", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "matched: 1" in result.output and "legacy_tax_id" in result.output
    session.expire_all()
    record = session.scalars(select(SourceRecord)).one()
    assert (record.record_key, record.enterprise_id) == (legacy, ent.id)
    refused = runner.invoke(args=["linkage", "link", "--batch", "424242"])
    assert refused.exit_code == 1 and "ImportBatch 424242 was not found" in refused.output
