"""``hanchot test``: run YAML rule tests, reporting like pytest.

Exit code 0 when every scenario passes, 1 when one fails, 2 on unusable files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hanchot.cli._common import EXIT_OK, EXIT_VIOLATIONS, guarded
from hanchot.scenarios import collect, run


def register(subparsers: Any) -> None:
    """Add the ``test`` sub-command."""
    parser = subparsers.add_parser("test", help="run YAML rule tests (scenarios)")
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    parser.add_argument("-q", "--quiet", action="store_true", help="one character per scenario")
    parser.set_defaults(run=guarded(run_tests))


def run_tests(args: argparse.Namespace) -> int:
    """Run every scenario under *args.paths*; return the exit code."""
    started = time.monotonic()
    scenarios = collect(args.paths)
    failed = []
    for scenario in scenarios:
        outcome = run(scenario)
        if args.quiet:
            sys.stdout.write("." if outcome.passed else "F")
        else:
            sys.stdout.write(f"{scenario.id} {'PASSED' if outcome.passed else 'FAILED'}\n")
        if not outcome.passed:
            failed.append(outcome)
    if args.quiet:
        sys.stdout.write("\n")
    for outcome in failed:
        sys.stdout.write(f"\n___ {outcome.scenario.id} ___\n")
        for failure in outcome.failures:
            sys.stdout.write(f"  {failure}\n")
    passed = len(scenarios) - len(failed)
    summary = f"{passed} passed" + (f", {len(failed)} failed" if failed else "")
    sys.stdout.write(f"\n{summary} in {time.monotonic() - started:.2f}s\n")
    return EXIT_VIOLATIONS if failed else EXIT_OK
