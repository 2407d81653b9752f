"""The one exception for a source (or manifest) that cannot be published."""

from pathlib import Path


class PublishError(Exception):
    """A source cannot be published; carries the file and a one-line reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
