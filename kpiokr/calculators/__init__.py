"""The KPI calculators, by ``kind``.

Each calculator is a frozen dataclass whose fields are its parameters (all keyword-only, all with
defaults, validated on construction with a ``ValueError`` that says the fix), and whose class
constants say what it measures: ``kind``, ``unit``, ``direction`` and ``needs_sprints`` (only a
sprint window makes sense). ``CALCULATORS[kind](**parameters)`` builds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar, Protocol

from kpiokr.calculators.budget import BudgetVariance
from kpiokr.calculators.flow import AgeingWip, CycleTime, LeadTime, Throughput, Wip
from kpiokr.calculators.quality import DefectRatio, ReopenRate
from kpiokr.calculators.resolution import ResolutionTime, SlaAdherence
from kpiokr.calculators.schedule import ScheduleAdherence
from kpiokr.calculators.scope import ScopeChange
from kpiokr.calculators.velocity import SayDoRatio, Velocity
from kpiokr.kpi import Direction, Measurement, TeamData, Window


class KpiCalculator(Protocol):
    """A calculator class as the registry holds it; its instances are :class:`kpiokr.kpi.Calculator`."""

    kind: ClassVar[str]
    unit: ClassVar[str]
    direction: ClassVar[Direction]
    needs_sprints: ClassVar[bool]

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        """The KPI's value over ``window`` ending at ``as_of``."""
        ...


_ALL: tuple[type[KpiCalculator], ...] = (
    Velocity,
    SayDoRatio,
    ScopeChange,
    ResolutionTime,
    SlaAdherence,
    ScheduleAdherence,
    CycleTime,
    LeadTime,
    Throughput,
    Wip,
    AgeingWip,
    ReopenRate,
    DefectRatio,
    BudgetVariance,
)

#: Every calculator class, by its ``kind``.
CALCULATORS: Mapping[str, type[KpiCalculator]] = MappingProxyType({cls.kind: cls for cls in _ALL})

__all__ = [
    "CALCULATORS",
    "AgeingWip",
    "BudgetVariance",
    "CycleTime",
    "DefectRatio",
    "KpiCalculator",
    "LeadTime",
    "ReopenRate",
    "ResolutionTime",
    "SayDoRatio",
    "ScheduleAdherence",
    "ScopeChange",
    "SlaAdherence",
    "Throughput",
    "Velocity",
    "Wip",
]
