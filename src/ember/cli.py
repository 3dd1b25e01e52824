"""The ``ember`` command.

``ember run [--report] script.py [args...]`` / ``ember run -m module [args...]`` runs a PyTorch program
with ``import torch`` resolving to ember; ``ember compat`` prints ember's coverage of the PyTorch API.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback


def _print_report(stream) -> None:
    from .compat import MISSING

    if MISSING:
        print(f"ember run: {len(MISSING)} torch API(s) used that ember does not implement:", file=stream)
        for name in MISSING:
            print(f"  {name}", file=stream)
    else:
        print("ember run: every torch API used is implemented by ember", file=stream)


def _run(ns) -> int:
    from . import compat

    compat.install()
    if ns.module:
        target, args = ns.module, ns.args
    else:
        if not ns.args:
            print("ember run: expected a script path or -m module", file=sys.stderr)
            return 2
        target, args = ns.args[0], ns.args[1:]
    code = 0
    try:
        if ns.module:
            sys.argv = [target, *args]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.argv = [target, *args]
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            runpy.run_path(target, run_name="__main__")
    except SystemExit:
        if ns.report:
            _print_report(sys.stderr)
        raise
    except BaseException as e:  # noqa: BLE001 - shown as python would
        tb = e.__traceback__
        # drop the frames of this command and runpy so the traceback starts at the program
        while tb is not None and tb.tb_frame.f_code.co_filename in (__file__, runpy.__file__):
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        code = 130 if isinstance(e, KeyboardInterrupt) else 1
    if ns.report:
        _print_report(sys.stderr)
    return code


def _compat(ns) -> int:
    from .compat import coverage

    source, rows = coverage(use_torch=not ns.shipped)
    print(f"ember coverage of the PyTorch API (names from {source})")
    print(f"{'namespace':<26} {'implemented':>11} {'total':>6} {'%':>6}")
    for name, have, total, _ in rows:
        pct = f"{100.0 * have / total:5.1f}%" if total else "   n/a"
        print(f"{name:<26} {have:>11} {total:>6} {pct:>6}")
    if not ns.summary:
        for name, _, _, missing in rows:
            if missing:
                print(f"\nmissing in {name} ({len(missing)}):")
                print("  " + ", ".join(missing))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="Run PyTorch programs on ember.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run a Python program with `import torch` resolving to ember")
    run.add_argument("--report", action="store_true", help="after the run, list the torch APIs used that ember lacks")
    run.add_argument("-m", dest="module", help="run a module as a script, like python -m")
    run.add_argument("args", nargs=argparse.REMAINDER, help="script path and its arguments")
    comp = sub.add_parser("compat", help="print ember's coverage of the PyTorch API by namespace")
    comp.add_argument("--summary", action="store_true", help="counts only, no missing names")
    comp.add_argument("--shipped", action="store_true", help="use the name list shipped with ember, not PyTorch")
    sub.add_parser("version", help="print ember's version")
    ns = parser.parse_args(argv)
    if ns.cmd == "version":
        from . import __version__

        print(__version__)
        return 0
    if ns.cmd == "compat":
        return _compat(ns)
    return _run(ns)


if __name__ == "__main__":
    sys.exit(main())
