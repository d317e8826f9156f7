"""Write a launch data folder from hand-written extracts (importable by any test module)."""
from __future__ import annotations

from pathlib import Path


def make_launch(root: Path, files: dict[str, str | bytes], toml: str | None = None) -> Path:
    """A data folder under ``root`` with ``files`` (relative path -> content) and launch.toml."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (data / "launch.toml").write_text(toml, encoding="utf-8")
    for rel, content in files.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return data


def injected_launch(root: Path, payload: str) -> Path:
    """A launch whose every free-text field carries ``payload`` (HTML or Markdown, no double
    quote): 20 orders (O01+payload …) held at hub "HUB"+payload from 08:00 (a stalled hub
    from 10:00), courier, sku, region, channel, model, customer, error codes, templates, a batch
    retracted at 09:30, call queue, reason and agent; a file whose name carries markup; and the
    launch's name."""
    orders = ["order_id,customer_id,channel,sku,region,ordered_at,allocated_at,model"]
    ships = ["event_id,order_id,courier,event,event_at,hub,tracking_no"]
    for i in range(1, 21):
        o = f'"O{i:02d}{payload}"'
        orders.append(f'{o},"C{i:02d}{payload}","web{payload}","SKU{payload}","Seoul{payload}",2016-10-08 06:00,2016-10-08 06:10,"M{payload}"')
        ships.append(f'P{i},{o},"CJ{payload}",packed,2016-10-08 06:20,,')
        ships.append(f'U{i},{o},"CJ{payload}",picked_up,2016-10-08 06:40,,')
        ships.append(f'H{i},{o},"CJ{payload}",at_hub,2016-10-08 08:00,"HUB{payload}","T{payload}"')
    o1 = f'"O01{payload}"'
    files = {
        "orders/orders.csv": "\n".join(orders) + "\n",
        "shipments/shipments.csv": "\n".join(ships) + "\n",
        "activations/activations.csv": (
            "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"
            f'A1,{o1},auto,2016-10-08 09:00,failed,2016-10-08 09:05,"E{payload}"\n'),
        "messages/messages.csv": (
            "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id,error_code\n"
            f'M1,"C01{payload}","DELAY{payload}",2016-10-08 09:00,failed,{o1},"B{payload}",,"X{payload}"\n'
            f'M2,"C01{payload}","FIX{payload}",2016-10-08 09:30,delivered,{o1},,"B{payload}",\n'),
        "calls/calls.csv": (
            "call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id,agent_id,reason,resolution\n"
            f'K1,"Q{payload}",2016-10-08 09:00,2016-10-08 09:00:10,2016-10-08 09:05,answered,"C01{payload}","AG{payload}",'
            f'"R{payload}",no_info\n'),
        "orders/**bold**" + payload.replace("/", "") + ".txt": "not an extract\n",
    }
    return make_launch(root, files, toml=f'[launch]\nname = "Launch {payload}"\n')
