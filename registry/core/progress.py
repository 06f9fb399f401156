"""Progress of long work (an import, an export, a report): the services call a callback with how
much of how much is done, per sheet or chunk of rows, never per row, and whoever started the work
shows it (a bar on the terminal, a job's progress page)."""

from __future__ import annotations

from collections.abc import Callable

#: progress(done, total): done of total steps are finished (total may grow between calls)
Progress = Callable[[int, int], None]


def ignore(done: int, total: int) -> None:
    """The progress of work nobody watches."""


def share(progress: Progress, start: int, end: int, of: int) -> Progress:
    """The progress of one part of some work that takes steps start to end of `of`: its own
    done/total are scaled into that span."""

    def report(done: int, total: int) -> None:
        progress(start + (end - start) * done // max(total, 1), of)

    return report
