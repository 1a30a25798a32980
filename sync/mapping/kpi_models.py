"""The ``[[kpi]]`` table of each calculator: :class:`KpiBase`'s keys and the calculator's parameters.

Generated from the calculators' dataclasses by ``python -m sync.mapping.kpi_source > sync/mapping/kpi_models.py``;
do not edit.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr

from sync.mapping.kpis import FiniteFloat, KpiBase
from sync.mapping.types import MAX_DAYS, MAX_HOURS


class VelocityKpi(KpiBase):
    """``kind = "velocity"``: the parameters of Velocity, a KPI calculator."""

    kind: Literal["velocity"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class SayDoRatioKpi(KpiBase):
    """``kind = "say_do_ratio"``: the parameters of SayDoRatio, a KPI calculator."""

    kind: Literal["say_do_ratio"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class ScopeChangeKpi(KpiBase):
    """``kind = "scope_change"``: the parameters of ScopeChange, a KPI calculator."""

    kind: Literal["scope_change"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class ResolutionTimeKpi(KpiBase):
    """``kind = "resolution_time"``: the parameters of ResolutionTime, a KPI calculator."""

    kind: Literal["resolution_time"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        ("Bug",), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )
    excluded_resolutions: tuple[StrictStr, ...] = Field(
        (
            "Duplicate",
            "Won't Do",
            "Won't Fix",
            "Cannot Reproduce",
            "Incomplete",
            "Invalid",
            "Not A Problem",
            "Not A Bug",
            "Works as Designed",
            "Works as Intended",
            "Works for Me",
            "Abandoned",
            "Obsolete",
            "Declined",
            "Rejected",
            "Out of Scope",
            "Auto Closed",
            "Later",
        ),
        description="Resolutions that say no work was needed, left out",
    )
    statistic: StrictStr = Field("median", description="median, p85, p90, p95, mean or max")
    ageing_after_hours: FiniteFloat | None = Field(
        None, description="Also list unresolved issues older than this many hours", le=MAX_HOURS
    )


class SlaAdherenceKpi(KpiBase):
    """``kind = "sla_adherence"``: the parameters of SlaAdherence, a KPI calculator."""

    kind: Literal["sla_adherence"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        ("Bug",), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )
    excluded_resolutions: tuple[StrictStr, ...] = Field(
        (
            "Duplicate",
            "Won't Do",
            "Won't Fix",
            "Cannot Reproduce",
            "Incomplete",
            "Invalid",
            "Not A Problem",
            "Not A Bug",
            "Works as Designed",
            "Works as Intended",
            "Works for Me",
            "Abandoned",
            "Obsolete",
            "Declined",
            "Rejected",
            "Out of Scope",
            "Auto Closed",
            "Later",
        ),
        description="Resolutions that say no work was needed, left out",
    )
    sla_hours: FiniteFloat = Field(
        0.0, description="Hours allowed from creation to resolution (required)", le=MAX_HOURS
    )


class ScheduleAdherenceKpi(KpiBase):
    """``kind = "schedule_adherence"``: the parameters of ScheduleAdherence, a KPI calculator."""

    kind: Literal["schedule_adherence"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class CycleTimeKpi(KpiBase):
    """``kind = "cycle_time"``: the parameters of CycleTime, a KPI calculator."""

    kind: Literal["cycle_time"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )
    statistic: StrictStr = Field("median", description="median, p85, p90, p95, mean or max")


class LeadTimeKpi(KpiBase):
    """``kind = "lead_time"``: the parameters of LeadTime, a KPI calculator."""

    kind: Literal["lead_time"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )
    statistic: StrictStr = Field("median", description="median, p85, p90, p95, mean or max")


class ThroughputKpi(KpiBase):
    """``kind = "throughput"``: the parameters of Throughput, a KPI calculator."""

    kind: Literal["throughput"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class WipKpi(KpiBase):
    """``kind = "wip"``: the parameters of Wip, a KPI calculator."""

    kind: Literal["wip"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class AgeingWipKpi(KpiBase):
    """``kind = "ageing_wip"``: the parameters of AgeingWip, a KPI calculator."""

    kind: Literal["ageing_wip"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )
    age_days: FiniteFloat = Field(
        14.0, description="Days in progress after which an issue counts as ageing", le=MAX_DAYS
    )


class ReopenRateKpi(KpiBase):
    """``kind = "reopen_rate"``: the parameters of ReopenRate, a KPI calculator."""

    kind: Literal["reopen_rate"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


class DefectRatioKpi(KpiBase):
    """``kind = "defect_ratio"``: the parameters of DefectRatio, a KPI calculator."""

    kind: Literal["defect_ratio"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    bug_types: tuple[StrictStr, ...] = Field(("Bug",), description="Issue types that are defects")
    story_types: tuple[StrictStr, ...] = Field(("Story",), description="Issue types that deliver value")


class BudgetVarianceKpi(KpiBase):
    """``kind = "budget_variance"``: the parameters of BudgetVariance, a KPI calculator."""

    kind: Literal["budget_variance"] = Field(description="The calculator")
    priorities: tuple[StrictStr, ...] = Field(
        (), description='Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any'
    )
    labels: tuple[StrictStr, ...] = Field((), description="Only issues with any of these labels; empty: any")
    issue_types: tuple[StrictStr, ...] = Field(
        (), description='Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks'
    )


#: One ``[[kpi]]`` table, its model chosen by ``kind``.
KpiMapping = Annotated[
    VelocityKpi
    | SayDoRatioKpi
    | ScopeChangeKpi
    | ResolutionTimeKpi
    | SlaAdherenceKpi
    | ScheduleAdherenceKpi
    | CycleTimeKpi
    | LeadTimeKpi
    | ThroughputKpi
    | WipKpi
    | AgeingWipKpi
    | ReopenRateKpi
    | DefectRatioKpi
    | BudgetVarianceKpi,
    Field(discriminator="kind"),
]
