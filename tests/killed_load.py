"""Run ``python -m launchboard ARGS`` and kill the process with SIGKILL right after its Nth
file is committed (the crash tests' known point):

    python tests/killed_load.py N report --data FOLDER ...

The hook wraps ``launchboard.ingest.load_file``'s commit callback, which the Store calls with
its append lock held, so the count is exact with two load threads. Production code knows
nothing of it."""
from __future__ import annotations

import os
import runpy
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from launchboard import ingest  # noqa: E402


def kill_after(files: int) -> None:
    load_file, committed_files = ingest.load_file, [0]

    def counting(*args):
        *rest, committed = args

        def then_maybe_die() -> None:
            committed()
            committed_files[0] += 1
            if committed_files[0] == files:
                os.kill(os.getpid(), signal.SIGKILL)

        return load_file(*rest, then_maybe_die)

    ingest.load_file = counting


if __name__ == "__main__":
    kill_after(int(sys.argv[1]))
    sys.argv = ["launchboard", *sys.argv[2:]]
    runpy.run_module("launchboard", run_name="__main__", alter_sys=True)
