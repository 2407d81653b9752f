"""Report entries: what a pass changed, or what it doubts and leaves for an editor."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Entry:
    """One line of the normalization report.

    Codes are stable and greppable: c- characters, m- metadata, l- links, p- paragraphs,
    q- quotations, s- site furniture, e- emphasis, t- typography.
    """

    code: str
    line: int
    message: str
    doubt: bool = False

    def format(self, path: str) -> str:
        """`path:line: code: message`, marked when it needs a human."""
        kind = "doubt" if self.doubt else "changed"
        return f"{path}:{self.line}: {kind} [{self.code}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
