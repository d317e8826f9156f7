"""The launch as numpy arrays: one builder per table (``model_*``), run in story order by
``launchboard.generate.generate``. Every random draw comes from one generator seeded with
(seed, orders), so the builders must run in the same order for the same bytes."""

from __future__ import annotations

import numpy as np

from .model_activity import _ActivityModel
from .model_calls import _CallsModel
from .model_orders import _OrdersModel
from .model_shipping import _ShippingModel


class _Launch(_OrdersModel, _ShippingModel, _ActivityModel, _CallsModel):
    def __init__(self, orders: int, seed: int):
        if orders < 200:
            raise ValueError("orders must be >= 200 for the story's incidents to exist")
        self.N = int(orders)
        self.seed = int(seed)
        self.rng = np.random.default_rng([self.seed, self.N])



def build_launch(orders: int, seed: int) -> tuple[_Launch, dict]:
    """The whole launch, built in story order: the model and its shipment events (long format)."""
    L = _Launch(orders, seed)
    L.build_orders()
    L.build_allocation()
    L.build_cancellations_a()
    L.build_shipping()
    L.build_cancellations_b()
    ev = L.shipment_events()
    L.build_activations()
    L.build_messages()
    L.build_calls()
    return L, ev
