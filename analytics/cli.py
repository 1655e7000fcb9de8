"""``patrol aml ...`` subcommands: train the AML model, rank a file of reports, write samples.

* ``patrol aml train [--out DIR]`` trains on generated labelled history and saves the artefact
  (default ``<data_dir>/models/aml``);
* ``patrol aml rank FILE [--limit N] [--model DIR]`` ranks a JSON (``{"reports": [...]}`` or a
  list) or CSV file and prints the queue as JSON;
* ``patrol aml synth N --out FILE [--seed S]`` writes generated reports (JSON or CSV by suffix).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def _train(args: argparse.Namespace) -> int:
    from analytics.aml.model import default_dir, save, train

    out = Path(args.out) if args.out else default_dir(args.data_dir)
    t0 = time.perf_counter()
    model = train()
    path = save(model, out)
    print(json.dumps({"saved": str(path), "seconds": round(time.perf_counter() - t0, 2), **model.meta}))
    return 0


def _rank(args: argparse.Namespace) -> int:
    from analytics._batch import decode_upload
    from analytics.aml.model import default_dir
    from analytics.aml_triage import AmlTriage, AmlTriageInput
    from common.errors import PatrolError

    try:
        text = decode_upload(Path(args.file).read_bytes())
        if args.file.endswith(".csv"):
            payload = AmlTriageInput(csv=text, limit=args.limit)
        else:
            data: Any = json.loads(text)
            reports = data if isinstance(data, list) else data.get("reports")
            payload = AmlTriageInput.model_validate({"reports": reports, "limit": args.limit})
        t0 = time.perf_counter()
        model_dir = Path(args.model) if args.model else default_dir(args.data_dir)
        out = AmlTriage(model_dir).run(payload)
    except PatrolError as err:
        print(json.dumps(err.to_event()), file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:
        print(json.dumps({"type": "error", "code": "bad_input", "message": str(err)[:300]}), file=sys.stderr)
        return 2
    print(out.model_dump_json(indent=2))
    print(f"# ranked {out.total_reports} reports in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from analytics.aml.synth import generate, to_csv, to_reports

    syn = generate(args.n, seed=args.seed, positive_rate=args.positive_rate, prefix="S")
    out = Path(args.out)
    if out.suffix == ".csv":
        out.write_text(to_csv(syn), encoding="utf-8")
    else:
        out.write_text(json.dumps({"reports": to_reports(syn)}, indent=1), encoding="utf-8")
    labels = {rid: int(y) for rid, y in zip(syn.batch.report_ids, syn.labels, strict=True)}
    out.with_suffix(".labels.json").write_text(json.dumps(labels))
    print(json.dumps({"reports": args.n, "positives": int(syn.labels.sum()), "out": str(out)}))
    return 0


def register(subparsers: Any, *, data_dir: Path) -> None:
    """Add ``aml`` with its ``train``, ``rank`` and ``synth`` subcommands to the ``patrol`` CLI.

    ``data_dir`` is the caller's data directory; the artefact's default home is under it.
    """
    aml = subparsers.add_parser("aml", help="money-laundering triage model")
    aml.set_defaults(data_dir=Path(data_dir))
    sub = aml.add_subparsers(dest="aml_command", required=True)
    p = sub.add_parser("train", help="train the AML model on generated labelled history")
    p.add_argument("--out", help="artefact directory (default <data_dir>/models/aml)")
    p.set_defaults(func=_train)
    p = sub.add_parser("rank", help="rank a JSON or CSV file of reports")
    p.add_argument("file")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--model", help="artefact directory to use")
    p.set_defaults(func=_rank)
    p = sub.add_parser("synth", help="write generated reports (.json or .csv) with a .labels.json")
    p.add_argument("n", type=int)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--positive-rate", type=float, default=0.1)
    p.set_defaults(func=_synth)
