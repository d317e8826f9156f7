"""Deterministic sample launch: KT's iPhone 7 pre-order launch, Korea, October 2016.

``generate`` writes it as contract-shaped extracts (``python -m launchboard generate``). The story,
its moments (``STORY``) and the incidents it is built to raise are told in
``launchboard.generator.story``; the builders and writers live in ``launchboard.generator``.
"""

from __future__ import annotations

import pathlib
import shutil

import numpy as np

from .generator.columns import _Ids
from .generator.files import _write_activations, _write_calls, _write_messages, _write_orders, _write_shipments
from .generator.model import build_launch
from .generator.real import write_real
from .generator.story import K_HUB, NONE, STORY, TABLES, TEMPLATES, UNCATALOGUED_TEMPLATE
from .generator.writer import _launch_toml, _Writer

__all__ = ["generate", "STORY", "TEMPLATES", "UNCATALOGUED_TEMPLATE", "TABLES"]


def generate(out: pathlib.Path, orders: int = 50_000, seed: int = 7,
             real_out: pathlib.Path | None = None) -> dict:
    """Write a deterministic sample launch into `out` (created if missing); return a small summary
    dict (row counts per table, files written).

    `orders` is the number of priority pre-orders (40% sms, 60% web); 10% more
    non-priority store/app orders come on top. Same (orders, seed) -> the same
    bytes. Existing table folders in `out` are replaced. Bad-row line numbers in
    the summary are physical line numbers (the header is line 1). With ``real_out``, the same
    launch is also written there in the shapes real exports have (``generator.real``).
    """
    out = pathlib.Path(out)
    L, ev = build_launch(orders, seed)

    out.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        if (out / t).exists():
            shutil.rmtree(out / t)
    (out / "launch.toml").write_text(_launch_toml(), encoding="utf-8")
    W = _Writer(out)
    W.files.append("launch.toml")
    rng = np.random.default_rng([L.seed, L.N, 99])
    ids = _Ids(L)
    phantom = [L.T, L.T + 1]  # order indexes the orders extract never carried (orphans)
    orphans = dict(orders=0, calls=0)
    try:
        _write_orders(L, W, rng, ids)
        orphans["shipments"] = _write_shipments(L, W, rng, ids, ev, phantom)
        orphans["activations"] = _write_activations(L, W, rng, ids, phantom)
        orphans["messages"] = _write_messages(L, W, rng, ids, phantom)
        _write_calls(L, W, rng, ids)
    finally:
        W.close()

    tables = {}
    for t in TABLES:
        st = W.stats[t]
        accepted = st["rows"] - st["bad"]
        tables[t] = dict(files=st["files"], rows_read=st["rows"], rows_rejected=st["bad"],
                         rows_accepted=accepted, superseded=accepted - st["key_count"],
                         keys=st["key_count"], orphans=orphans[t])
    return dict(
        out=str(out), orders=L.N, seed=L.seed,
        files=sorted(W.files + ["shipments/shipments_099.csv.part"]),
        rows={t: tables[t]["rows_read"] for t in TABLES},
        tables=tables,
        bad_rows=W.bad_rows,
        counts=dict(L.counts, customers=L.n_customers, cancelled=int((L.cancel != NONE).sum()),
                    reserved=int(((L.alloc == NONE) & (L.cancel == NONE)).sum()),
                    stuck_epost_daejeon=int(L.stuck.sum()), hub_stall_forced=K_HUB),
        special_files=dict(
            bom="orders/orders_001.csv",
            cp949="calls/calls_011.csv",
            parquet="shipments/shipments_009.parquet",
            utc_z=sorted(f for f in W.files if "_hanjin." in f),
            offset="activations/activations_013.csv",
            t_separator="messages/messages_013.csv.gz",
            part="shipments/shipments_099.csv.part",
        ),
        story=dict(STORY),
        real=write_real(out, pathlib.Path(real_out)) if real_out is not None else None,
    )
