"""``kpiokr`` commands in their own processes, started in milliseconds and killable at any instant.

Starting ``python -m sync.cli.main`` costs ~2 s of imports on a CI machine; a test that starts it a hundred
times would spend minutes importing. Here a multiprocessing *forkserver* imports kpiokr once, and each
command runs in a process forked from it: a real, separate process (its own store connections, HTTP
connections and signal handlers) running ``sync.cli.main.main`` exactly as the console script does, that
``SIGKILL`` ends like any other. Its stdout and stderr go to a file; ``memory`` makes it record its
resident memory when it started and at its peak (the sandbox, in the test's process, is not counted).
"""

import json
import multiprocessing
import os
import resource
import sys
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path

#: Imported once by the forkserver, before any command is forked.
PRELOAD = ["tests.e2e.cli_process", "sync.cli.main"]


def kpiokr(*argv: str) -> int:
    """What the ``kpiokr`` console script does."""
    from sync.cli.main import main  # noqa: PLC0415 - preloaded by the forkserver: costs nothing here

    return main(list(argv))


def hold_every_issue(store_url: str) -> int:
    """Decode every stored issue and keep them all: the memory a daemon that did so would need."""
    from sync.store.store import Store  # noqa: PLC0415

    with Store.open(store_url) as store:
        held = list(store.iter_issues())
    return 0 if held else 1


def _child(
    target: Callable[..., int], args: Sequence[str], output: str, env: Mapping[str, str], memory: str | None
) -> None:
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.update(env)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        code = target(*args)
    finally:
        if memory:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            Path(memory).write_text(json.dumps({"rss_kb_at_start": before, "peak_rss_kb": peak}))
    sys.exit(code)


class Cli:
    """Starts ``kpiokr`` commands (or another function of this module) as forked processes."""

    def __init__(self) -> None:
        self.context: ForkServerContext = multiprocessing.get_context("forkserver")  # type: ignore[assignment]
        self.context.set_forkserver_preload(PRELOAD)

    def start(
        self,
        argv: Sequence[str],
        output: Path,
        *,
        env: Mapping[str, str] | None = None,
        memory: Path | None = None,
        target: Callable[..., int] = kpiokr,
    ) -> BaseProcess:
        """``kpiokr ARGV`` (or ``target(*ARGV)``) in a new process writing to ``output``; returns it started."""
        args = (target, list(argv), str(output), dict(env or {}), str(memory) if memory else None)
        process = self.context.Process(target=_child, args=args, daemon=True)
        process.start()
        return process

    def run(self, argv: Sequence[str], output: Path, *, timeout: float = 120, **kwargs: object) -> int:
        """``kpiokr ARGV`` to completion; returns its exit code."""
        process = self.start(argv, output, **kwargs)  # type: ignore[arg-type]
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"{argv} did not finish in {timeout}s: {output.read_text()[-2000:]}")
        return process.exitcode


def growth_mb(memory: Path) -> float:
    """How far a process's resident memory rose above where it started, in MB."""
    measured = json.loads(memory.read_text())
    return (measured["peak_rss_kb"] - measured["rss_kb_at_start"]) / 1024
