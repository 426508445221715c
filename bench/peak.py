"""Run a command and print its peak RSS on stderr when it ends (`python -m bench.peak CMD...`).

The child is this process's only child, so RUSAGE_CHILDREN's ru_maxrss is that command's own
peak, whatever else the benchmark runs meanwhile."""

from __future__ import annotations

import resource
import subprocess
import sys


def main() -> int:
    code = subprocess.call(sys.argv[1:])
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"@@peak_rss_kb={peak_kb}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
