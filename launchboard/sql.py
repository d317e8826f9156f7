"""SQL files in ``queries/``: one query per file, values bound as ``$name``."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"(?<![:$\w])\$([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    path = QUERY_DIR / f"{name}.sql"
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def params_of(name: str) -> frozenset[str]:
    text = "\n".join(line.split("--", 1)[0] for line in load(name).splitlines())
    return frozenset(_PARAM.findall(text))


def bind(name: str, values: dict) -> dict:
    """The subset of ``values`` that query ``name`` uses; every parameter it uses must be given."""
    wanted = params_of(name)
    missing = wanted - values.keys()
    if missing:
        raise KeyError(f"query {name} needs parameter(s) {', '.join(sorted(missing))}")
    return {k: values[k] for k in wanted}


def run(cur, name: str, values: dict | None = None):
    """Execute ``queries/<name>.sql`` on cursor ``cur`` with bound values; returns the cursor."""
    return cur.execute(load(name), bind(name, values or {}))
