"""`make bench`: run every benchmark module under bench/ (bench_*.py), or those named.

Each module defines `main()` and prints its own table. Benchmarks never run in the test suite.
"""

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")


def main(names):
    modules = names or sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    for name in modules:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
