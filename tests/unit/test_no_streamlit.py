"""The engine (`launchboard`) never imports streamlit: the CLI and tests run without it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "launchboard"

PROBE = """
import importlib, pkgutil, sys
import launchboard
names = sorted(m.name for m in pkgutil.walk_packages(launchboard.__path__, "launchboard.")
               if m.name != "launchboard.__main__")
for name in names:
    importlib.import_module(name)
print(len(names))
print(sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit.")))
"""


def test_importing_every_engine_module_does_not_load_streamlit():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.strip().splitlines()
    expected = len([p for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")])
    expected += len([p for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE])  # subpackages
    assert int(count) == expected
    assert loaded == "[]"


def test_no_streamlit_import_in_engine_source():
    pattern = re.compile(r"^\s*(import\s+streamlit|from\s+streamlit\b)", re.MULTILINE)
    offenders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
