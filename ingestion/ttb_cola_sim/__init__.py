"""A local, deterministic stand-in for the TTB Public COLA Registry, served over loopback HTTP.

- :class:`~ttb_cola_sim.registry.Registry`: the synthetic registry of a seed, with a clock;
- :class:`~ttb_cola_sim.server.SimulatorServer`: its pages at the registry's own URLs;
- :class:`~ttb_cola_sim.faults.FaultConfig`: seeded fault injection;
- :func:`~ttb_cola_sim.truth.write_truth`: the ground truth as JSONL;
- ``ttb-cola simulate serve|truth``: :func:`ttb_cola_sim.cli.run`.
"""

from __future__ import annotations

from ttb_cola_sim.faults import FaultConfig
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.server import SimulatorServer

__all__ = ["FaultConfig", "Registry", "SimulatorServer"]
