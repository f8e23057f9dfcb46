"""Start-up of the ``civictwin`` command: ``civictwin --help`` against its floors, same run.

Runs each command ``--runs`` times, interleaved so that machine load hits all alike, and prints
the median and quartiles of the wall-clock seconds with the load average. Floors: the bare
interpreter (``python -c pass``) and the interpreter importing Typer (the CLI's framework);
a peer: the same command importing the whole backend as the CLI did before issue 12
(``import backend.cli, backend.db.migrate, backend.settings, tiles.pipeline``).

    .venv/bin/python bench/bench_cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("civictwin"))

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import typer'": [sys.executable, "-c", "import typer"],
    "civictwin --help": [CLI, "--help"],
    "civictwin tiles build --help": [CLI, "tiles", "build", "--help"],
    "eager imports (before)": [
        sys.executable,
        "-c",
        "import backend.cli, backend.db.migrate, backend.db.engine, backend.settings, "
        "tiles.pipeline; backend.cli.app(['--help'], standalone_mode=False)",
    ],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    load0 = os.getloadavg()
    for _ in range(args.runs):
        for label, cmd in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times[label].append(time.perf_counter() - t0)
    load1 = os.getloadavg()
    print(f"runs {args.runs}, load average {load0[0]:.1f} -> {load1[0]:.1f}")
    for label, ts in times.items():
        q = statistics.quantiles(ts, n=4)
        print(f"{label:32} median {statistics.median(ts):.3f} s  (q1 {q[0]:.3f}, q3 {q[2]:.3f})")
    help_s = statistics.median(times["civictwin --help"])
    print(
        f"--help / eager imports: {help_s / statistics.median(times['eager imports (before)']):.2f}"
    )
    typer_s = statistics.median(times["python -c 'import typer'"])
    print(f"--help / import typer:  {help_s / typer_s:.2f}")


if __name__ == "__main__":
    main()
