"""Write a synthetic data set for the linkage benchmark: three sources and the truth.

    python bench/linkage_data.py --registry 1000000 --out DIR --seed 2026
    python bench/linkage_data.py --registry 1000000 --out DIR --encodings          # tax as GB18030
    python bench/linkage_data.py --registry 20000 --out DIR --encodings env=utf-8-sig \\
        --rate homophone=0.1 --rate env_orphan=0.2

Writes ``registry.csv`` (uscc,name,legal_rep,address,reg_date,status,phone), ``tax.csv``
(taxpayer_id,name,legal_rep,address,phone), ``env.csv`` (record_id,name,uscc,legal_rep,address,
phone) and ``truth.csv`` (source,record_id,uscc; uscc empty when the record has no counterpart in
the registry), all UTF-8 unless ``--encodings`` says otherwise. The records are those of
:func:`linkage.synthetic.generate` for the same sizes, seed and rates. A summary goes to stderr.
"""

from __future__ import annotations

import argparse
import codecs
import sys
import time
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from linkage.synthetic import Rates, generate  # noqa: E402

FILES = ("registry", "tax", "env", "truth")
RATE_NAMES = tuple(f.name for f in fields(Rates))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pairs(spec: str, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise argparse.ArgumentTypeError(f"{what} must look like NAME=VALUE, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def parse_encodings(spec: str) -> dict[str, str]:
    """``tax=gb18030,env=utf-8-sig`` -> ``{"tax": "gb18030", "env": "utf-8-sig"}``."""
    result = _pairs(spec, "an encoding")
    for stem, codec in result.items():
        if stem not in FILES:
            raise argparse.ArgumentTypeError(f"unknown file {stem!r}; choose from {FILES}")
        try:
            codecs.lookup(codec)
        except LookupError:
            raise argparse.ArgumentTypeError(f"unknown encoding {codec!r}") from None
    return result


def parse_rate(spec: str) -> tuple[str, float]:
    """``homophone=0.1`` -> ``("homophone", 0.1)``."""
    ((name, value),) = _pairs(spec, "a rate").items()
    if name not in RATE_NAMES:
        raise argparse.ArgumentTypeError(f"unknown rate {name!r}; choose from {RATE_NAMES}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rate {name} must be a number, got {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Write registry.csv, tax.csv, env.csv and truth.csv for the linkage benchmark."
    )
    parser.add_argument("--registry", type=int, default=1_000_000, help="registry rows")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (%(default)s)")
    parser.add_argument("--tax-ratio", type=float, default=0.9, help="tax rows per registry row")
    parser.add_argument("--env-ratio", type=float, default=0.4, help="env rows per registry row")
    parser.add_argument(
        "--encodings",
        type=parse_encodings,
        nargs="?",
        const=parse_encodings("tax=gb18030"),
        default={},
        metavar="FILE=CODEC,...",
        help="codecs by file (registry, tax, env, truth); without a value: tax=gb18030. "
        "Default: UTF-8 without BOM for all.",
    )
    parser.add_argument(
        "--rate",
        type=parse_rate,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one difficulty rate of linkage.synthetic.Rates (repeatable)",
    )
    parser.add_argument("--divisions", type=Path, help="division CSV (code,name,level,parent_code)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        data = generate(
            args.registry,
            seed=args.seed,
            tax_ratio=args.tax_ratio,
            env_ratio=args.env_ratio,
            divisions=args.divisions,
            **dict(args.rate),
        )
    except ValueError as exc:
        log(f"error: {exc}")
        return 2
    plan = data.plan
    log(
        f"registry {plan.n_registry:,}; tax {plan.n_tax:,} ({plan.n_tax_orphan:,} without "
        f"counterpart, {plan.n_tax_duplicate:,} duplicates); env {plan.n_env:,} "
        f"({plan.n_env_orphan:,} without counterpart, {plan.n_env_duplicate:,} duplicates); "
        f"seed {args.seed}"
    )
    started = time.perf_counter()

    def progress(stem: str, rows: int) -> None:
        log(f"  {stem}: {rows:,} rows, {time.perf_counter() - started:.1f} s")

    paths = data.write_csv(args.out, encodings=args.encodings, progress=progress)
    elapsed = time.perf_counter() - started
    for stem, path in paths.items():
        codec = args.encodings.get(stem, "utf-8")
        log(f"  {path} ({path.stat().st_size / 1e6:.1f} MB, {codec})")
    log(f"written in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
