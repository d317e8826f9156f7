"""The engine's figures equal an independent implementation of the spec in plain pandas
(bench/pandas_reference.py, the bench's reference) on the whole sample launch, at every moment
the generator's story names: the stage timeline, the stage of each message's order at sent_at
and every count of the report are decided two different ways and must agree."""
from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest

from launchboard import report
from launchboard.config import load_config
from launchboard.generate import STORY
from launchboard.loader import open_store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def engine():
    store = open_store(SAMPLE)
    yield store
    store.close()


@pytest.fixture(scope="module")
def reference():
    pandas_reference = _module("pandas_reference", ROOT / "bench" / "pandas_reference.py")
    return pandas_reference, pandas_reference.load(SAMPLE, load_config(SAMPLE))


@pytest.fixture(scope="module")
def compare():
    return _module("bench_run", ROOT / "bench" / "run.py").compare


@pytest.mark.parametrize("moment", sorted(STORY))
def test_engine_and_pandas_agree_at_each_story_moment(engine, reference, compare, moment):
    pandas_reference, tables = reference
    as_of = datetime.fromisoformat(STORY[moment])
    ours = report.build(engine, as_of)
    theirs = pandas_reference.figures(tables, engine.config, as_of)
    assert compare(ours, theirs) == []
    assert ours["orders"]["total"] > 0 and sum(ours["orders"]["by_stage"].values()) == ours["orders"]["total"]
