"""Problems found while building, each traced to the file and line it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


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
    language, id or code, IRI), so a page can offer each one to click, and a `hint` (a key of
    the message catalogue) saying what is accepted."""

    def __init__(self, kind: str, text: str, suggestions: list[str],
                 matches: list[dict[str, str]] | None = None, ambiguous: bool = False,
                 hint: str | None = None):
        self.kind = kind
        self.text = text
        self.suggestions = suggestions
        self.matches = matches or []
        self.ambiguous = ambiguous
        self.hint = hint
        if ambiguous:
            message = (f"{text!r} names more than one {kind}: {', '.join(suggestions)}; "
                       "give one of their names or codes")
        else:
            shown = suggestions or ([self.hint_text("en")] if hint else [])
            close = "; closest matches: " if suggestions else "; "
            message = f"no {kind} matches {text!r}{close + ', '.join(shown) if shown else ''}"
        super().__init__(message)

    def hint_text(self, lang: str) -> str | None:
        """What is accepted instead, in the asked language."""
        from graph.answers.messages import ERRORS

        return ERRORS[self.hint][lang] if self.hint in ERRORS else None

    def headline(self, lang: str) -> str:
        """What was not found, in the asked language (the name quoted, never declined)."""
        from graph.answers.messages import ERRORS

        if self.ambiguous:
            return ERRORS["ambiguous"][lang].format(text=self.text,
                                                    names=", ".join(self.suggestions))
        if not (self.text or "").strip() and f"empty_{self.kind}" in ERRORS:
            return ERRORS[f"empty_{self.kind}"][lang]
        key = f"no_{self.kind}" if f"no_{self.kind}" in ERRORS else "no_product"
        return ERRORS[key][lang].format(text=self.text)

    def message(self, lang: str) -> str:
        """The whole message in the asked language: what was not found, what is accepted, the
        closest matches. English keeps the wording the command line has always printed."""
        from graph.answers.messages import ERRORS

        if lang not in ("kk", "ru"):
            return str(self)
        parts = [self.headline(lang)]
        if self.hint and not self.ambiguous:
            parts.append(self.hint_text(lang) or "")
        if self.suggestions and not self.ambiguous:
            parts.append(ERRORS["closest"][lang].format(names=", ".join(self.suggestions)))
        return " ".join(p for p in parts if p)


class StoreError(RuntimeError):
    """The store or remote endpoint could not answer."""


class BadDate(ValueError):
    """An as-of date that is not YYYY, YYYY-MM or YYYY-MM-DD (or no real day): said in the
    user's language, with what is accepted."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "en": "{text!r} is not a date agrikg accepts: give YYYY, YYYY-MM or YYYY-MM-DD "
              "(e.g. 2024, 2024-02 or 2024-02-07), a real day of a year from 1900 to 2100",
        "ru": "{text!r} — неподходящая дата: укажите ГГГГ, ГГГГ-ММ или ГГГГ-ММ-ДД "
              "(например, 2024, 2024-02 или 2024-02-07), существующий день года от 1900 до "
              "2100",
        "kk": "{text!r} — жарамсыз күн: ЖЖЖЖ, ЖЖЖЖ-АА немесе ЖЖЖЖ-АА-КК түрінде көрсетіңіз "
              "(мысалы, 2024, 2024-02 немесе 2024-02-07), 1900–2100 жылдар аралығындағы нақты "
              "күн",
    }

    def __init__(self, text: str):
        self.text = text
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return self.MESSAGES.get(lang, self.MESSAGES["en"]).format(text=self.text)
