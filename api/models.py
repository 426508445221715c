"""The shapes of error answers, as documented in the OpenAPI description."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class AccessAnswer(BaseModel):
    """The access check's answer, as `agrikg check --json` prints it."""

    model_config = ConfigDict(extra="allow")

    product: dict[str, Any] = Field(description="The resolved product: id, iri, label, hs_codes, "
                                    "matched_by, query.")
    market: dict[str, Any] = Field(description="The resolved market: code, iri, label, "
                                   "matched_by, query.")
    exporter: dict[str, Any]
    lang: str
    status: str = Field(description="open, requirements-agreed, requirements-planned, "
                        "restriction-lifted, restricted or unknown.")
    status_label: str
    permitted: bool | None = Field(description="null when unknown: never a prohibition.")
    via: dict[str, Any] | None = Field(description="The broader product the record is on.")
    veterinary_requirements: dict[str, Any] | None
    as_of: dict[str, Any] | None
    record: str | None
    sources: list[dict[str, Any]]
    inferred: list[dict[str, Any]]
    partial: list[dict[str, Any]] = Field(description="Records on narrower products.")
    message: str
