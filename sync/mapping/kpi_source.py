"""The source of :mod:`sync.mapping.kpi_models`: one static model per calculator, from its dataclass.

``python -m sync.mapping.kpi_source > sync/mapping/kpi_models.py`` regenerates it after a
calculator or one of its parameters is added or changed; a test checks that it is up to date.
A parameter becomes a key of the KPI's table with the same name, type (strict, numbers finite),
default and a description from :data:`PARAMETER_DOCS`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Iterator
from types import NoneType, UnionType
from typing import Union, get_args, get_origin, get_type_hints

from kpiokr.calculators import CALCULATORS, KpiCalculator
from sync.mapping.kpis import KpiBase

KPI_MODELS_COMMAND = "python -m sync.mapping.kpi_source > sync/mapping/kpi_models.py"

#: Calculator fields the mapping does not set: sync fills ``keys`` from the KPI's ``jql``.
SET_BY_SYNC = frozenset({"keys"})

#: The description of each calculator parameter in ``schema.json``, by name.
PARAMETER_DOCS = {
    "issue_types": 'Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks',
    "priorities": 'Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any',
    "labels": "Only issues with any of these labels; empty: any",
    "statistic": "median, p85, p90, p95, mean or max",
    "excluded_resolutions": "Resolutions that say no work was needed, left out",
    "ageing_after_hours": "Also list unresolved issues older than this many hours",
    "sla_hours": "Hours allowed from creation to resolution (required)",
    "age_days": "Days in progress after which an issue counts as ageing",
    "bug_types": "Issue types that are defects",
    "story_types": "Issue types that deliver value",
}

#: The largest value of the calculators' number parameters (constants of :mod:`sync.mapping.types`).
PARAMETER_MAXIMA = {"sla_hours": "MAX_HOURS", "ageing_after_hours": "MAX_HOURS", "age_days": "MAX_DAYS"}

#: The strict mapping type of each scalar parameter type.
_SCALARS: dict[object, str] = {str: "StrictStr", int: "StrictInt", bool: "StrictBool", float: "FiniteFloat"}

_LINE = 120
_HEADER = f'''"""The ``[[kpi]]`` table of each calculator: :class:`KpiBase`'s keys and the calculator's parameters.

Generated from the calculators' dataclasses by ``{KPI_MODELS_COMMAND}``;
do not edit.
"""

from __future__ import annotations

from typing import Annotated, Literal

'''


def _annotation(hint: object) -> str:
    """The mapping type of a parameter type, as source text."""
    if hint in _SCALARS:
        return _SCALARS[hint]
    args = get_args(hint)
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"tuple[{_annotation(args[0])}, ...]"
    if get_origin(hint) in (Union, UnionType):
        return " | ".join("None" if arg is NoneType else _annotation(arg) for arg in args)
    raise TypeError(f"no mapping type for parameter type {hint!r}: teach {__name__}._annotation one")


def _literal(value: object) -> str:
    """A parameter's default as Python source, quoted as ``ruff format`` quotes."""
    if isinstance(value, str):
        return f"'{value}'" if '"' in value and "'" not in value else json.dumps(value)
    if isinstance(value, tuple):
        items = [_literal(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"no source text for the default {value!r}: teach {__name__}._literal one")


def _statement(head: str, arguments: list[object], indent: str = "    ") -> str:
    """``head(arguments)`` laid out as ``ruff format`` lays it out: each argument is source text, or a
    tuple default rendered by :func:`_literal` (split one item a line when too long)."""
    texts = [argument if isinstance(argument, str) else _literal(argument) for argument in arguments]
    one_line = f"{indent}{head}({', '.join(texts)})"
    if len(one_line) <= _LINE:
        return one_line
    inner = f"{indent}    {', '.join(texts)}"
    if len(inner) <= _LINE:
        return f"{indent}{head}(\n{inner}\n{indent})"
    lines = [f"{indent}{head}(\n"]
    for argument, text in zip(arguments, texts, strict=True):
        if isinstance(argument, tuple) and len(f"{indent}    {text},") > _LINE:
            items = "".join(f"{indent}        {_literal(item)},\n" for item in argument)
            lines.append(f"{indent}    (\n{items}{indent}    ),\n")
        else:
            lines.append(f"{indent}    {text},\n")
    return "".join(lines) + f"{indent})"


def _parameters(calculator: type[KpiCalculator]) -> Iterator[str]:
    """Each parameter's ``name: type = Field(...)`` line."""
    if not dataclasses.is_dataclass(calculator):
        raise TypeError(f"calculator {calculator.kind}: its parameters must be the fields of a dataclass")
    hints = get_type_hints(calculator)
    for field in dataclasses.fields(calculator):
        if field.name in SET_BY_SYNC:
            continue
        if field.name in KpiBase.model_fields:
            raise TypeError(f"calculator {calculator.kind}: parameter {field.name} clashes with a KPI key")
        arguments: list[object] = []
        if field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{calculator.__name__}.{field.name}: a parameter's default must be a plain value")
        if field.default is not dataclasses.MISSING:
            arguments.append(field.default if isinstance(field.default, tuple) else _literal(field.default))
        if field.name in PARAMETER_DOCS:
            arguments.append(f"description={_literal(PARAMETER_DOCS[field.name])}")
        if field.name in PARAMETER_MAXIMA:
            arguments.append(f"le={PARAMETER_MAXIMA[field.name]}")
        yield _statement(f"{field.name}: {_annotation(hints[field.name])} = Field", arguments)


def _model(calculator: type[KpiCalculator]) -> str:
    """One calculator's model class."""
    lines = [
        f"class {calculator.__name__}Kpi(KpiBase):",
        f'    """``kind = "{calculator.kind}"``: the parameters of {calculator.__name__}, a KPI calculator."""',
        "",
        f'    kind: Literal["{calculator.kind}"] = Field(description="The calculator")',
    ]
    lines.extend(_parameters(calculator))
    return "\n".join(lines) + "\n"


def _import(module: str, names: list[str]) -> str:
    """``from module import names``, laid out as ``ruff format`` lays it out."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= _LINE:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def kpi_models_source(calculators: Iterable[type[KpiCalculator]] = CALCULATORS.values()) -> str:
    """The text of ``sync/mapping/kpi_models.py``: a model for each of ``calculators``."""
    calculators = list(calculators)
    models = "\n\n".join(_model(calculator) for calculator in calculators)
    used = {name for name in (*_SCALARS.values(), *PARAMETER_MAXIMA.values()) if re.search(rf"\b{name}\b", models)}
    imports = [
        _import("pydantic", sorted({"Field", *used} & {"Field", "StrictBool", "StrictInt", "StrictStr"})),
        "",
        _import("sync.mapping.kpis", sorted({"KpiBase", *used} & {"FiniteFloat", "KpiBase"})),
    ]
    if maxima := sorted(used & set(PARAMETER_MAXIMA.values())):
        imports.append(_import("sync.mapping.types", maxima))
    union = "\n    | ".join(f"{calculator.__name__}Kpi" for calculator in calculators)
    footer = f"#: One ``[[kpi]]`` table, its model chosen by ``kind``.\nKpiMapping = Annotated[\n    {union},\n"
    footer += '    Field(discriminator="kind"),\n]\n'
    return _HEADER + "\n".join(imports) + "\n\n\n" + models + "\n\n" + footer


def main() -> int:
    """Print the source of ``sync/mapping/kpi_models.py``."""
    sys.stdout.write(kpi_models_source())
    return 0


if __name__ == "__main__":
    sys.exit(main())
