"""Problems found while building, each traced to the file and line it came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a resource was written down: a data file and a line in it (0 when unknown)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Problem:
    """One broken rule: which resource, where it came from, which rule, and what is wrong."""

    focus: str
    origin: Origin | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        return f"{where}{self.focus}: {self.message} [rule: {self.rule}]"


class BuildError(Exception):
    """The data did not build; the previously built graph is left as it was."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the graph was not built: {len(problems)} problem(s)\n{lines}")


class ResolveError(LookupError):
    """A product or market name that matches nothing, or more than one thing; carries the
    closest matches as text (`suggestions`) and as links (`matches`: label in the asked
    language, id or code, IRI), so a page can offer each one to click."""

    def __init__(self, kind: str, text: str, suggestions: list[str],
                 matches: list[dict[str, str]] | None = None, ambiguous: bool = False):
        self.kind = kind
        self.text = text
        self.suggestions = suggestions
        self.matches = matches or []
        self.ambiguous = ambiguous
        if ambiguous:
            message = (f"{text!r} names more than one {kind}: {', '.join(suggestions)}; "
                       "give one of their names or codes")
        else:
            hint = f"; closest matches: {', '.join(suggestions)}" if suggestions else ""
            message = f"no {kind} matches {text!r}{hint}"
        super().__init__(message)


class StoreError(RuntimeError):
    """The store or remote endpoint could not answer."""
