"""The ``ember`` command: ``ember run script.py [args...]`` runs a PyTorch program on ember."""

from __future__ import annotations

import argparse
import runpy
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="Run PyTorch programs on ember.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run a Python script with `import torch` resolving to ember")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("version", help="print ember's version")
    ns = parser.parse_args(argv)
    if ns.cmd == "version":
        from . import __version__

        print(__version__)
        return 0
    from . import compat

    compat.install()
    sys.argv = [ns.script, *ns.args]
    runpy.run_path(ns.script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
