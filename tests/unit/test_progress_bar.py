"""The fetch's progress bar: redrawn in place on a terminal, a log line per tenth elsewhere."""

import io
import logging

from sync.cli.commands import ProgressBar


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_on_one_line_and_ended_by_close():
    out = Terminal()
    bar = ProgressBar("fetching issues", out)
    bar(3, 10)
    bar(10, 10)
    bar.close()
    assert out.getvalue() == (
        f"\rfetching issues [{'#' * 9:<30}] 3/10 (30%)\rfetching issues [{'#' * 30}] 10/10 (100%)\n"
    )


def test_on_a_terminal_an_unknown_total_shows_a_count():
    out = Terminal()
    bar = ProgressBar("fetching issues", out)
    bar(0, None)
    bar(250, None)
    assert out.getvalue() == "\rfetching issues: 0\rfetching issues: 250"


def test_elsewhere_it_logs_each_tenth_once_and_writes_nothing(caplog):
    out = io.StringIO()
    bar = ProgressBar("fetching issues", out)
    with caplog.at_level(logging.INFO, logger="kpiokr"):
        for done in range(0, 101, 5):
            bar(done, 100)
        bar(7, None)
    bar.close()
    assert out.getvalue() == ""
    assert caplog.messages == [f"fetching issues: {n}/100 ({n}%)" for n in range(0, 101, 10)]
