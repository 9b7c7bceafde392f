"""Problems found in the sources, reported all together with file, line and field."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceError:
    """One problem in one source file."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        return f"{where}{field} {self.message}"


class BuildFailed(Exception):
    """The sources have problems; nothing was written."""

    def __init__(self, errors: list[SourceError]):
        super().__init__(f"{len(errors)} problem(s) in the sources")
        self.errors = errors

    def report(self) -> str:
        """Return every problem, one per line, and a count."""
        lines = [str(error) for error in self.errors]
        lines.append(f"{len(self.errors)} problem(s) found; nothing was written.")
        return "\n".join(lines)
