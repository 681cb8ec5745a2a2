"""Link tax (税务) and enforcement records to the business registry (工商): rules, then a model.

The whole chain normalise → block → compare → classify for the file-to-file mode of issue 5:

1. Registry records are normalised (:func:`linkage.compare.profile`, in worker processes)
   into compact tuples and indexed (:class:`linkage.blocking.BlockIndex`). Steps 2 and 3 run
   in worker processes forked from there, which share the index (:mod:`linkage.resolving`).
2. Each tax or enforcement record goes through the deterministic rules (:class:`Rule`): its
   valid USCC is a registry USCC, or its legacy tax id carries a registry USCC's organisation
   code (DOMAIN.md §6.3). A rule links only when the names do not disagree: a branch never
   links to its parent, even under the parent's code (the code then becomes evidence that
   the candidates with the parent's core are related). A code failing its check is never a
   rule: the registry records it equals or is one typo from are candidates for the model.
3. The other records get candidates from blocking; each pair is compared field by field.
   The pattern counts feed EM (:func:`linkage.fellegi_sunter.fit`) with the rule-linked pairs
   as labelled matches; u comes from random pairs and, for an equality (same core, legal
   representative, address, phone), from how many registry records share the value.
4. Each record links to at most one registry record. Its score is the log2 odds that its
   best candidate is its match rather than no match or another candidate; a match needs the
   match threshold, a score between the thresholds goes to review.

Examples
--------
A legacy tax id links by rule; a branch filed under its parent's USCC links to the branch:

>>> parent, branch = "9152030071430580XA", "91520382MA6DKQ6T5C"
>>> registry = [
...     {"uscc": parent, "name": "遵义市鑫源化工有限公司", "legal_rep": "张三",
...      "address": "遵义市汇川区上海路12号", "phone": "0851-86812345"},
...     {"uscc": branch, "name": "遵义市鑫源化工有限公司仁怀分公司", "legal_rep": "李四",
...      "address": "仁怀市茅台镇1号", "phone": ""},
... ]
>>> tax = [{"taxpayer_id": "52030371430580X", "name": "鑫源化工有限责任公司", "legal_rep": "张三"}]
>>> env = [{"record_id": "E1", "name": "鑫源化工仁怀分公司", "uscc": parent, "legal_rep": "李四"}]
>>> for r in link(registry, tax, env, config=LinkConfig(workers=0)):
...     print(r.record_id, r.uscc, r.decision.value, r.evidence[0].level, r.evidence[-1].field)
52030371430580X 9152030071430580XA match ORG rule
E1 91520382MA6DKQ6T5C match PARENT prior
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from linkage.linkdata import (
    Evidence,
    LinkConfig,
    LinkResult,
    LinkStats,
    Progress,
    Rule,
    default_model_config,
)
from linkage.linker import SOURCES as SOURCES
from linkage.linker import Linker
from linkage.linkfiles import LINKS_COLUMNS as LINKS_COLUMNS
from linkage.linkfiles import REVIEW_COLUMNS as REVIEW_COLUMNS
from linkage.linkfiles import RunReport, run

__all__ = [
    "Evidence",
    "LinkConfig",
    "LinkResult",
    "LinkStats",
    "Linker",
    "Progress",
    "Rule",
    "RunReport",
    "default_model_config",
    "link",
    "run",
]


def link(
    registry: Iterable[Mapping[str, str]],
    tax: Iterable[Mapping[str, str]] = (),
    env: Iterable[Mapping[str, str]] = (),
    *,
    config: LinkConfig | None = None,
    progress: Progress | None = None,
) -> list[LinkResult]:
    """Link tax and enforcement rows to registry rows.

    Parameters
    ----------
    registry : iterable of mapping
        Rows with ``uscc,name,legal_rep,address,reg_date,status,phone`` (only uscc and
        name are needed).
    tax, env : iterable of mapping
        Rows with ``taxpayer_id,name,legal_rep,address,phone`` and
        ``record_id,name,uscc,legal_rep,address,phone``.
    config : LinkConfig, optional
    progress : callable, optional
        ``progress(stage, count)`` every 100,000 rows of a stage.

    Returns
    -------
    list of LinkResult
        One per tax row, then one per env row, in input order.
    """
    with Linker(config, progress) as linker:
        linker.load_registry(registry)
        linker.add_records("tax", tax)
        linker.add_records("env", env)
        return list(linker.results())
