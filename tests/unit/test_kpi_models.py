"""Each calculator's ``[[kpi]]`` table is a static model, generated from the calculator's dataclass."""

import dataclasses
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from kpiokr.calculators import CALCULATORS
from kpiokr.kpi import Direction
from sync.mapping import kpi_models
from sync.mapping.kpi_models import KpiMapping
from sync.mapping.kpi_source import KPI_MODELS_COMMAND, SET_BY_SYNC, kpi_models_source

ROOT = Path(__file__).resolve().parents[2]
TABLES = TypeAdapter(KpiMapping)


def table(kind: str, **parameters: object) -> object:
    return TABLES.validate_python({"key": "k", "name": "K", "kind": kind, "target": 1.0, **parameters})


def test_the_committed_models_are_what_the_calculators_generate():
    committed = Path(kpi_models.__file__).read_text(encoding="utf-8")
    assert committed == kpi_models_source(), f"sync/mapping/kpi_models.py is out of date: run `{KPI_MODELS_COMMAND}`"


def test_the_generator_prints_the_module():
    printed = subprocess.run(
        [sys.executable, "-m", "sync.mapping.kpi_source"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert printed.stdout == kpi_models_source()


def test_every_calculator_has_a_table_chosen_by_its_kind():
    (union, _discriminator) = get_args(KpiMapping)
    kinds = [get_args(model.model_fields["kind"].annotation)[0] for model in get_args(union)]
    assert kinds == list(CALCULATORS)


#: The parameters a calculator cannot do without.
REQUIRED = {"sla_adherence": {"sla_hours": 72.0}}


@pytest.mark.parametrize("kind", CALCULATORS)
def test_a_table_without_parameters_builds_the_calculator_with_its_defaults(kind):
    kpi = table(kind, **REQUIRED.get(kind, {}))
    parameters = {field.name for field in dataclasses.fields(CALCULATORS[kind])} - SET_BY_SYNC
    assert set(kpi.parameter_names()) == parameters
    assert kpi.calculator() == CALCULATORS[kind](**REQUIRED.get(kind, {}))


def test_the_parameters_of_a_table_reach_the_calculator():
    kpi = table(
        "resolution_time",
        issue_types=["Incident"],
        priorities=["High"],
        labels=["customer"],
        excluded_resolutions=["Duplicate"],
        statistic="p85",
        ageing_after_hours=48.0,
    )
    keys = frozenset({"MOB-1"})
    assert kpi.calculator(keys) == CALCULATORS["resolution_time"](
        issue_types=("Incident",),
        priorities=("High",),
        labels=("customer",),
        excluded_resolutions=("Duplicate",),
        statistic="p85",
        ageing_after_hours=48.0,
        keys=keys,
    )


@pytest.mark.parametrize(
    ("parameters", "loc"),
    [
        ({"statistic": 3}, ("resolution_time", "statistic")),
        ({"issue_types": ["Bug", 1]}, ("resolution_time", "issue_types", 1)),
        ({"ageing_after_hours": float("inf")}, ("resolution_time", "ageing_after_hours")),
        ({"ageing_after_hours": "48"}, ("resolution_time", "ageing_after_hours")),
        ({"keys": ["MOB-1"]}, ("resolution_time", "keys")),
    ],
)
def test_parameters_are_strict_and_keys_is_not_one(parameters, loc):
    with pytest.raises(ValidationError) as raised:
        table("resolution_time", **parameters)
    assert [error["loc"] for error in raised.value.errors()] == [loc]


@dataclass(frozen=True, kw_only=True)
class _Fake:
    kind: ClassVar[str] = "fake"
    unit: ClassVar[str] = "issues"
    direction: ClassVar[Direction] = Direction.LOWER_IS_BETTER
    needs_sprints: ClassVar[bool] = False

    age_days: float = 14.0
    note: str | None = None
    names: tuple[str, ...] = ("a", "b")


def test_a_new_calculator_gets_its_table_from_its_fields():
    source = kpi_models_source([_Fake])
    assert 'kind: Literal["fake"] = Field(description="The calculator")' in source
    compile(source, "kpi_models.py", "exec")
    assert "    age_days: FiniteFloat = Field(\n        14.0, description=" in source
    assert "le=MAX_DAYS\n    )" in source
    assert "from sync.mapping.types import MAX_DAYS\n" in source
    assert "note: StrictStr | None = Field(None)" in source
    assert 'names: tuple[StrictStr, ...] = Field(("a", "b"))' in source
    assert "    | _FakeKpi" not in source
    assert "KpiMapping = Annotated[\n    _FakeKpi,\n" in source


def test_a_parameter_the_generator_cannot_write_is_refused():
    @dataclass(frozen=True, kw_only=True)
    class Odd(_Fake):
        weights: dict[str, float] = dataclasses.field(default_factory=dict)

    with pytest.raises(TypeError, match=r"Odd\.weights: a parameter's default must be a plain value"):
        kpi_models_source([Odd])

    @dataclass(frozen=True, kw_only=True)
    class Mixed(_Fake):
        weights: list[float] | None = None

    with pytest.raises(TypeError, match=r"no mapping type for parameter type list\[float\]"):
        kpi_models_source([Mixed])


def test_a_parameter_named_like_a_common_key_is_refused():
    @dataclass(frozen=True, kw_only=True)
    class Clash(_Fake):
        target: float = 1.0

    with pytest.raises(TypeError, match="calculator fake: parameter target clashes with a KPI key"):
        kpi_models_source([Clash])
