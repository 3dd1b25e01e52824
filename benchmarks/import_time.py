"""Time ``import ember`` in fresh interpreters (bytecode cached), beside ``import numpy`` alone.

python benchmarks/import_time.py
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys


def _wall(stmt: str, reps: int = 7) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", stmt], env=env, check=True)  # writes the bytecode caches
    times = [
        float(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout)
        for _ in range(reps)
    ]
    return statistics.median(times)


if __name__ == "__main__":
    # the optional extras ember can use; with them installed, ``import ember`` must still not load them
    extras = ["ml_dtypes", "scipy", "cupy", "mpi4py"]
    found = [m for m in extras if importlib.util.find_spec(m) is not None]
    print("installed extras:", ", ".join(found) or "none", "  missing:", ", ".join(set(extras) - set(found)) or "none")
    n, e = _wall("import numpy"), _wall("import ember")
    print(f"import numpy {n:.3f} s   import ember {e:.3f} s (goal < 0.3 s)")
