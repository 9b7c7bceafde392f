"""Problems found in the sources, reported all together with file, line and field."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceError:
    """One problem in one source file."""

    path: str
    line: int | None
    field: str
    message: str
    detail: str = dataclasses.field(default="", compare=False)  # a Python traceback, shown on request

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        name = f" {self.field}:" if self.field else ""
        return f"{where}{name} {self.message}"


class BuildFailed(Exception):
    """The sources have problems; nothing was written."""

    def __init__(self, errors: list[SourceError]):
        super().__init__(f"{len(errors)} problem(s) in the sources")
        self.errors = errors

    def report(self, tracebacks: bool = False) -> str:
        """Return every problem, one per line (with its traceback, on request), and a count."""
        lines = [f"{error}\n{error.detail}" if tracebacks and error.detail else str(error) for error in self.errors]
        lines.append(f"{len(self.errors)} problem(s) found; nothing was written.")
        return "\n".join(lines)
