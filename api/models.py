"""The shapes of error answers, as documented in the OpenAPI description."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    detail: str = Field(description="What was wrong and what is accepted.")


class ParameterError(BaseModel):
    parameter: str
    message: str
    type: str | None = None


class ValidationProblem(Problem):
    errors: list[ParameterError] = Field(description="One entry per invalid parameter.")


class NotFound(Problem):
    kind: str = Field(description="product, market, source or status")
    query: str = Field(description="What was asked for.")
    closest_matches: list[str]


COMMON_RESPONSES: dict = {
    422: {"model": ValidationProblem,
          "description": "A parameter is missing or invalid; `detail` names it."},
}
NOT_FOUND_RESPONSE: dict = {
    404: {"model": NotFound,
          "description": "Unknown product, market, source or status; `closest_matches` lists "
                         "what comes nearest."},
}
