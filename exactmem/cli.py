"""The ``exactmem`` command: ``check`` (run the registered claims) and ``verify`` (check certificates)."""
from __future__ import annotations

import argparse
import json
import sys

from .errors import ExactmemError


def _cmd_check(args) -> int:
    from . import claims
    claims.discover("proofs")
    if args.list:
        for c in claims.select(args.k):
            print(f"{c.id}\t{c.statement}")
        return 0
    results = claims.run_all(full=args.full, pattern=args.k, progress=sys.stderr)
    if not results:
        print("no claims matched", file=sys.stderr)
        return 2
    print(claims.summary_table(results))
    if any(r.verdict.is_refuted for r in results):
        return 1
    if args.strict and any(r.verdict.is_undecided for r in results):
        return 1
    return 0


def _cmd_verify(args) -> int:
    from .certify import checker
    status = 0
    for path in args.certificates:
        try:
            with open(path) as fh:
                cert = json.load(fh)
            v = checker.check(cert)
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: MALFORMED: cannot read JSON: {e}")
            status = max(status, 2)
            continue
        except ExactmemError as e:
            print(f"{path}: MALFORMED: {e}")
            status = max(status, 2)
            continue
        print(f"{path}: {v}")
        if not v.is_proved:
            status = max(status, 1)
    return status


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="exactmem", description="Exact checks of robust memorization in ReLU nets")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run the registered claims of proofs/ and print a summary table")
    c.add_argument("--full", action="store_true", help="also run the slow instance families")
    c.add_argument("-k", metavar="PATTERN", help="only claims whose id or statement contains PATTERN")
    c.add_argument("--list", action="store_true", help="list the claims and exit")
    c.add_argument("--strict", action="store_true", help="exit non-zero on UNDECIDED too")
    c.set_defaults(func=_cmd_check)
    v = sub.add_parser("verify", help="re-check certificate files with the independent checker")
    v.add_argument("certificates", nargs="+", metavar="CERT.json")
    v.set_defaults(func=_cmd_verify)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExactmemError as e:
        print(f"exactmem: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
