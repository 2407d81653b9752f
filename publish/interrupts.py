"""Ctrl-C: clean up, print one line and exit with status 130 at once; a second Ctrl-C
during the clean-up exits silently.

The exit happens in the signal handler itself: unwinding through the libraries instead
would wait on their own clean-ups (a subprocess given a quarter of a second to end, say),
and a build must stop within a moment whatever it was doing.
"""

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT)
LINE = b"publish: interrupted; every file written so far is complete\n"


def nothing() -> None:
    """No clean-up."""


@contextmanager
def interruptible(clean_up: Callable[[], None] = nothing) -> Iterator[None]:
    """Within the block, Ctrl-C runs `clean_up`, prints LINE and exits with status 130."""

    def exit_silently(signum: int, frame: object) -> None:
        with suppress(Exception):
            clean_up()
        os._exit(INTERRUPTED)

    def exit_with_line(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, exit_silently)
        with suppress(Exception):  # a handler must not raise into the code it interrupted
            clean_up()
        with suppress(OSError):
            os.write(2, LINE)  # not print(): the interrupted code may be printing
        os._exit(INTERRUPTED)

    previous = signal.signal(signal.SIGINT, exit_with_line)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
