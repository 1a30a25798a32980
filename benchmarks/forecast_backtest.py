"""Backtest of the forecasts, and the predictive-power check, on seeded synthetic histories.

    .venv/bin/python benchmarks/forecast_backtest.py [--objectives 200] [--runs 1000] [--seed 2026]

Each objective has a 91-day cycle and three key results whose end-of-cycle grades are known:

- a **numeric** key result (a field, a KPI): a daily grade that moves at a pace which changes once in
  the cycle (x0.5 to x1.5 on a random day), either accumulating noise (a random walk) or measured
  with noise around its level, and for a third of them edited only once a week;
- two **child-completion** key results: 15 to 60 issues done by a team whose daily throughput is
  Poisson (none at weekends) at a rate that also changes once, with six weeks of history before the
  cycle.

A third of the objectives are committed (success 1.0), the rest stretch (0.7). At 25 %, 50 % and
75 % of the cycle each key result is forecast (the trend on its daily grades, or Monte Carlo over the
last six weeks of throughput) and each objective from its key results; the naive baseline extrapolates
the current grade linearly from the cycle's start (grade / elapsed share), a certain yes or no.
Printed per checkpoint: mean absolute error of the projection, Brier score of P(success), and how
often the 80 % interval held the actual grade (the baseline has none).

Then the predictive power of two guardrail KPIs over past cycles: bug resolution time was built to
predict the objectives' grades, deployment frequency not. Its figure on one seeded history, and how
often each verdict comes out over 100 seeds.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kpiokr.forecasting import (
    Forecast,
    first_half_health,
    forecast_from_series,
    forecast_from_throughput,
    objective_forecast,
    predictive_power,
)
from kpiokr.forecasting.model import clamp
from kpiokr.kpi import Direction

DAYS = 91
START = date(2026, 1, 5)  # a Monday
END = START + timedelta(days=DAYS)
HISTORY_DAYS = 42
CHECKPOINTS = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class NumericKr:
    """A key result's daily grades over the whole cycle (day 1 first)."""

    grades: tuple[float, ...]


@dataclass(frozen=True)
class ChildKr:
    """Children completed per day: the ``HISTORY_DAYS`` before the cycle, then the cycle's days."""

    total: int
    daily: tuple[int, ...]


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the small daily rates here."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def numeric_kr(rng: random.Random) -> NumericKr:
    """A numeric key result's cycle: a pace changing once, a walk or a noisy level, maybe edited weekly."""
    pace, change, factor = rng.uniform(0.004, 0.013), rng.randint(20, 70), rng.uniform(0.5, 1.5)
    walk = rng.random() < 0.5
    noise = rng.uniform(0.002, 0.01) if walk else rng.uniform(0.01, 0.04)
    weekly = rng.random() < 1 / 3
    level, grades = 0.0, []
    for day in range(1, DAYS + 1):
        level += pace * (factor if day > change else 1.0) + (rng.gauss(0, noise) if walk else 0.0)
        grades.append(clamp(level + (0.0 if walk else rng.gauss(0, noise))))
    if weekly:
        grades = [grades[(d // 7) * 7] for d in range(DAYS)]
    return NumericKr(tuple(grades))


def child_kr(rng: random.Random) -> ChildKr:
    """A child-completion key result: Poisson throughput on working days, its rate changing once."""
    total = rng.randint(15, 60)
    rate = total / (DAYS * 5 / 7) * rng.uniform(0.6, 1.4)
    change, factor = rng.randint(20, 70), rng.uniform(0.5, 1.5)
    daily = []
    for day in range(-HISTORY_DAYS + 1, DAYS + 1):
        weekend = (START + timedelta(days=day - 1)).weekday() >= 5
        daily.append(0 if weekend else _poisson(rng, rate * (factor if day > change else 1.0)))
    return ChildKr(total, tuple(daily))


def actual(kr: NumericKr | ChildKr) -> float:
    """The grade at the end of the cycle."""
    if isinstance(kr, NumericKr):
        return kr.grades[-1]
    return clamp(sum(kr.daily[HISTORY_DAYS:]) / kr.total)


def current(kr: NumericKr | ChildKr, day: int) -> float:
    """The grade at the end of the cycle's ``day``-th day."""
    if isinstance(kr, NumericKr):
        return kr.grades[day - 1]
    return clamp(sum(kr.daily[HISTORY_DAYS : HISTORY_DAYS + day]) / kr.total)


def forecast(kr: NumericKr | ChildKr, day: int, success_at: float, runs: int, seed: int) -> Forecast:
    """The forecast made at the end of the cycle's ``day``-th day, by the key result's method."""
    as_of = START + timedelta(days=day - 1)
    if isinstance(kr, NumericKr):
        points = [(START + timedelta(days=d), g) for d, g in enumerate(kr.grades[:day])]
        return forecast_from_series(
            points, start=START, end=END, as_of=as_of, success_at=success_at, runs=runs, seed=seed
        )
    done = sum(kr.daily[HISTORY_DAYS : HISTORY_DAYS + day])
    recent = [float(n) for n in kr.daily[day : HISTORY_DAYS + day]]
    return forecast_from_throughput(
        done, kr.total, recent, as_of=as_of, end=END, success_at=success_at, runs=runs, seed=seed
    )


@dataclass
class Tally:
    """Errors summed over forecasts of one kind at one checkpoint."""

    n: int = 0
    abs_error: float = 0.0
    brier: float = 0.0
    held: int = 0
    base_abs_error: float = 0.0
    base_brier: float = 0.0

    def add(self, made: Forecast, baseline: float, truth: float) -> None:
        """Count one forecast and the baseline's projection against the actual grade."""
        success = 1.0 if truth >= made.success_at - 1e-9 else 0.0
        self.n += 1
        self.abs_error += abs(made.projection - truth)
        self.brier += ((made.probability if made.probability is not None else 0.5) - success) ** 2
        self.held += made.low - 1e-9 <= truth <= made.high + 1e-9
        self.base_abs_error += abs(baseline - truth)
        self.base_brier += ((1.0 if baseline >= made.success_at - 1e-9 else 0.0) - success) ** 2

    def row(self, label: str) -> str:
        """The averages as one printed row."""
        n = max(self.n, 1)
        return (
            f"{label:<24}{self.n:>6}{self.abs_error / n:>10.3f}{self.base_abs_error / n:>10.3f}"
            f"{self.brier / n:>10.3f}{self.base_brier / n:>10.3f}{self.held / n:>10.0%}"
        )


def backtest(objectives: int, runs: int, seed: int) -> tuple[dict[tuple[float, str], Tally], int]:
    """The tallies per checkpoint and kind, and how many forecasts were too thin for a probability."""
    rng = random.Random(seed)
    tallies: dict[tuple[float, str], Tally] = {}
    thin = 0
    for index in range(objectives):
        success_at = 1.0 if rng.random() < 1 / 3 else 0.7
        krs: list[NumericKr | ChildKr] = [numeric_kr(rng), child_kr(rng), child_kr(rng)]
        truths = [actual(kr) for kr in krs]
        for share in CHECKPOINTS:
            day = round(DAYS * share)
            made = [forecast(kr, day, success_at, runs, seed=index * 10 + k) for k, kr in enumerate(krs)]
            baselines = [clamp(current(kr, day) / (day / DAYS)) for kr in krs]
            for kr, one, base, truth in zip(krs, made, baselines, truths, strict=True):
                kind = "numeric (trend)" if isinstance(kr, NumericKr) else "children (monte carlo)"
                tallies.setdefault((share, kind), Tally()).add(one, base, truth)
                thin += one.thin
            combined = objective_forecast([(1.0, f) for f in made], success_at=success_at, seed=index)
            truth = sum(truths) / len(truths)
            tallies.setdefault((share, "objective (combined)"), Tally()).add(combined, sum(baselines) / 3, truth)
    return tallies, thin


def _history(rng: random.Random, cycles: int, objectives: int) -> list[tuple[float, float, float]]:
    """(bug resolution health, deployment frequency health, final grade) per objective and past cycle."""
    rows = []
    for c in range(cycles):
        begin = START - timedelta(days=DAYS * (cycles - c))
        end = begin + timedelta(days=DAYS)
        for _ in range(objectives):
            load = rng.uniform(0.0, 1.0)  # the unseen cause: a heavy bug load slows every objective
            grade = clamp(0.95 - 0.6 * load + rng.gauss(0, 0.1))
            bugs = [(begin + timedelta(days=d), 40 + 40 * load + rng.gauss(0, 8)) for d in range(DAYS)]
            deploys = [(begin + timedelta(days=d), rng.uniform(1.0, 6.0)) for d in range(DAYS)]
            bug_health = first_half_health(bugs, 72.0, Direction.LOWER_IS_BETTER, start=begin, end=end)
            deploy_health = first_half_health(deploys, 2.0, Direction.HIGHER_IS_BETTER, start=begin, end=end)
            rows.append((bug_health or 0.0, deploy_health or 0.0, grade))
    return rows


def predictive(seed: int, cycles: int = 8, objectives: int = 3) -> None:
    """Print the predictive power of the two KPIs on one seeded history, and verdict rates over 100 more."""
    rows = _history(random.Random(seed), cycles, objectives)
    print(f"\npredictive power over {cycles} past cycles x {objectives} objectives (seed {seed}):")
    picks: list[tuple[str, Callable[[tuple[float, float, float]], float]]] = [
        ("bug resolution time (built to predict)", lambda r: r[0]),
        ("deployment frequency (built not to)", lambda r: r[1]),
    ]
    for label, pick in picks:
        power = predictive_power([(pick(r), r[2]) for r in rows])
        figure = f"rho {power.rho:+.2f}, 95 % CI {power.low:+.2f} to {power.high:+.2f}" if power.rho is not None else ""
        print(f"  {label:<40} n = {power.n}  {figure:<32} -> {power.verdict}")
    few = predictive_power([(r[0], r[2]) for r in rows[:6]])
    print(f"  {'bug resolution time, 2 cycles only':<40} -> {few.verdict}")
    found = flagged = 0
    for other in range(100):
        rows = _history(random.Random(seed + 1 + other), cycles, objectives)
        found += predictive_power([(r[0], r[2]) for r in rows]).verdict == "signal"
        flagged += predictive_power([(r[1], r[2]) for r in rows]).verdict == "no signal"
    print(f"  over 100 other seeds: the predictive KPI found {found}/100, the other flagged 'no signal' {flagged}/100")


def main() -> None:
    """Run the backtest and the predictive-power check and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1000, help="simulated final grades per forecast")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    tallies, thin = backtest(args.objectives, args.runs, args.seed)
    print(f"{args.objectives} objectives x 3 key results, 91-day cycles, seed {args.seed}, {args.runs} runs a forecast")
    print(f"'naive' = grade / elapsed share; forecasts too thin for a probability (Brier at 0.5): {thin}")
    header = f"{'':<24}{'n':>6}{'MAE':>10}{'naive':>10}{'Brier':>10}{'naive':>10}{'80% held':>10}"
    for share in CHECKPOINTS:
        print(f"\nat {share:.0%} of the cycle\n{header}")
        for (at, kind), tally in tallies.items():
            if at == share:
                print(tally.row(kind))
    predictive(args.seed)


if __name__ == "__main__":
    main()
