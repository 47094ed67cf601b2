"""Command line: list the chapters and re-run one with new parameters (a thin argparse layer).

    python -m hopcore list [CHAPTER] [--json]
    python -m hopcore run CHAPTER [-p NAME VALUE]... [--profile quick|paper] [--output-dir DIR]

The work is done by :mod:`hopcore.book.run`; this module only parses the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from . import spec as specs
from .run import UsageError, build_parameters, list_chapters, list_json, run_chapter

# ---------------------------------------------------------------------------------------------
# entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hopcore",
        description="List the chapters of the book, or re-run one with new parameters.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="chapters and their parameters with quick/paper defaults")
    p_list.add_argument("chapter", nargs="?", help="show only this chapter")
    p_list.add_argument("--json", action="store_true",
                        help='print {chapter: {"parameters": {name: {"quick", "paper", "doc"}}}} as JSON')
    p_run = sub.add_parser(
        "run",
        help="execute one chapter with papermill",
        description="Execute one chapter notebook. Every parameter is validated before anything runs.",
    )
    p_run.add_argument("chapter")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set a parameter (Python literal: 2000, 0.05, [1, 3, 5], True; else a string)")
    p_run.add_argument("--profile", choices=specs.PROFILES, default=None,
                       help="default values: quick (default, or $HOPCORE_PROFILE), paper, or test (tiny sizes)")
    p_run.add_argument("--output-dir", default=None,
                       help="where the executed notebook, data and summary.json go "
                            "(default: _build/results/<chapter>)")
    p_run.add_argument("--executor", default=None,
                       help="where the sweeps' tasks run: serial (default, or $HOPCORE_EXECUTOR), processes:N, "
                            "dask:ADDRESS or dask:local:N")
    p_run.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the notebook's)")
    p_run.add_argument("--log-output", action="store_true", help="echo the notebook's output while it runs")
    p_run.add_argument("--check", action="store_true", help="validate the parameters and stop")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m hopcore``: ``list`` the chapters or ``run`` one.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 1 when the executed chapter failed, 2 for a usage error (printed to
        stderr).
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            if args.json:
                print(json.dumps(list_json(args.chapter), indent=2, allow_nan=False, default=str))
            else:
                list_chapters(args.chapter)
            return 0
        if args.check:
            params, inject = build_parameters(args.chapter, args.parameter, args.profile, args.output_dir)
            print(f"{args.chapter}: parameters are valid (profile {params['profile']}, "
                  f"output {inject['output_dir']})")
            return 0
        if args.executor is not None:
            from ..experiments.executors import ENV, parse_spec

            try:
                parse_spec(args.executor)
            except ValueError as exc:
                raise UsageError(str(exc).replace(f"{ENV}=", "--executor ")) from None
            os.environ[ENV] = args.executor  # read by the sweeps inside the executed notebook
        report = run_chapter(args.chapter, args.parameter, args.profile, args.output_dir,
                             kernel=args.kernel, log_output=args.log_output)
        return 0 if report["status"] == "ok" else 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. `list` with an unknown chapter
        print(f"error: {exc}", file=sys.stderr)
        return 2
