"""Ctrl-C: the first stops the work and cleans up; a second exits at once, silently."""

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT)


def nothing() -> None:
    """No clean-up."""


@contextmanager
def interruptible(clean_up: Callable[[], None] = nothing) -> Iterator[None]:
    """Within the block the first Ctrl-C raises KeyboardInterrupt, and `clean_up` runs as it
    leaves the block; from then on, until the process ends, Ctrl-C runs `clean_up` and exits
    with status 130 at once, printing nothing.
    """

    def exit_at_once(signum: int, frame: object) -> None:
        clean_up()
        os._exit(INTERRUPTED)

    def first(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, exit_at_once)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    except KeyboardInterrupt:
        clean_up()
        raise
    finally:
        if signal.getsignal(signal.SIGINT) is first:  # no Ctrl-C came: as before
            signal.signal(signal.SIGINT, previous)
