"""The shapes of error answers, as documented in the OpenAPI description; the check's answer
model is shared with the CLI (graph.answers.models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from graph.answers.models import AccessAnswer

__all__ = ["COMMON_RESPONSES", "NOT_FOUND_RESPONSE", "AccessAnswer"]


class Problem(BaseModel):
    detail: str = Field(description="What was wrong and what is accepted.")


class ParameterError(BaseModel):
    parameter: str
    message: str
    type: str | None = None


class ValidationProblem(Problem):
    errors: list[ParameterError] = Field(description="One entry per invalid parameter.")


class Match(BaseModel):
    """A closest match, named in the asked language, with what a page needs to link it."""

    model_config = ConfigDict(extra="allow")

    label: str = Field(description="Its name in the asked language.")
    iri: str
    code: str | None = Field(None, description="A market's ISO 3166-1 alpha-2 code.")
    id: str | None = Field(None, description="A product's id.")


class NotFound(Problem):
    kind: str = Field(description="product, market, source or status")
    query: str = Field(description="What was asked for.")
    ambiguous: bool = Field(False, description="true when the name belongs to several markets "
                            "(e.g. Congo): `matches` lists each, none is picked.")
    closest_matches: list[str] = Field(description="Each match as text, e.g. \"China (CN)\".")
    matches: list[Match] = Field(default_factory=list, description=(
        "The same matches (products and markets) with label, code or id, and IRI."))


COMMON_RESPONSES: dict = {
    422: {"model": ValidationProblem,
          "description": "A parameter is missing or invalid; `detail` names it."},
}
BAD_DATE_RESPONSE: dict = {
    400: {"model": Problem,
          "description": "`as_of` is not YYYY, YYYY-MM or YYYY-MM-DD (or no real day); "
                         "`detail` says so in the asked language."},
}
NOT_FOUND_RESPONSE: dict = {
    404: {"model": NotFound,
          "description": "Unknown (or, for a market, ambiguous) product, market, source or "
                         "status; `closest_matches` and `matches` list what comes nearest."},
}
