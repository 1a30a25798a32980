"""Positions in TOML text: every key, table, array-of-tables element and array item, and syntax errors."""

import tomllib

import pytest

from sync.mapping.toml_positions import syntax_error_position, toml_positions

TEXT = """\
# a comment with [brackets] and key = "value"
[team]
name = "Mobile"   # trailing comment
projects = ["MOB", 'WEB']
"quoted key".part = 1
text = \"\"\"a [fake] = "table"
  ""still inside""\"\"\"

[[objective]]
key = "MOB-1"
guardrails = [
  "velocity",  # comment between items
  "bugs",
]

  [[objective.key_result]]
  key = "MOB-11"
  target = 30

[[objective]]
key = "MOB-2"
  [[objective.key_result]]
  key = "MOB-21"
  [[objective.key_result]]
  window = { days = 28, nested = { list = [1, { deep = 2 }] } }
[objective.extra]
when = 1979-05-27 07:32:00Z
"""


@pytest.fixture(scope="module")
def positions():
    tomllib.loads(TEXT)  # the scanner only ever sees valid TOML
    return toml_positions(TEXT)


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("team",), (2, 1)),
        (("team", "name"), (3, 1)),
        (("team", "projects", 1), (4, 20)),
        (("team", "quoted key", "part"), (5, 14)),
        (("objective", 0), (9, 1)),
        (("objective", 0, "guardrails", 1), (13, 3)),
        (("objective", 0, "key_result", 0), (16, 3)),
        (("objective", 0, "key_result", 0, "target"), (18, 3)),
        (("objective", 1, "key"), (21, 1)),
        (("objective", 1, "key_result", 1), (24, 3)),
        (("objective", 1, "key_result", 1, "window", "days"), (25, 14)),
        (("objective", 1, "key_result", 1, "window", "nested", "list", 1, "deep"), (25, 49)),
        (("objective", 1, "extra", "when"), (27, 1)),
    ],
)
def test_every_path_has_its_line_and_column(positions, loc, expected):
    assert positions.find(loc) == expected


def test_a_missing_key_falls_back_to_its_table_and_then_to_the_top(positions):
    assert positions.find(("objective", 0, "key_result", 0, "baseline")) == (16, 3)
    assert positions.find(("cycle", "start")) == (1, 1)


def test_text_in_strings_and_comments_is_not_structure(positions):
    assert ("fake",) not in positions.entries
    assert ("brackets",) not in positions.entries
    assert positions.find(("team", "text")) == (6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = \n", (1, 5, "Invalid value")),
        ("[team]\nname = 1\n[team]\n", (3, 6, "Cannot declare [team] twice")),
        ("[a.b]\n[a.b]\n", (2, 5, "Cannot declare [a.b] twice")),
        ('x = """never closed\n', (2, 1, "Unterminated string")),
        ('x = "no newline', (1, 16, "Unterminated string")),
    ],
)
def test_syntax_errors_get_their_position_out_of_the_message(text, expected):
    with pytest.raises(tomllib.TOMLDecodeError) as error:
        tomllib.loads(text)
    assert syntax_error_position(error.value, text) == expected
