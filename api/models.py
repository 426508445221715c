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
NOT_FOUND_RESPONSE: dict = {
    404: {"model": NotFound,
          "description": "Unknown (or, for a market, ambiguous) product, market, source or "
                         "status; `closest_matches` and `matches` list what comes nearest."},
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
    permitted: bool | None = Field(description="Whether supply is possible, as agrikg reads the "
                                   "status (no source states it); null when unknown: never a "
                                   "prohibition.")
    permitted_reading: dict[str, Any] = Field(description="What `permitted` means here, in the "
                                              "asked language: stated_by_source (always false), "
                                              "derived_from, text, note.")
    coverage: dict[str, Any] | None = Field(description="When the status comes by complete "
                                            "coverage: the records on the products within the "
                                            "asked one that together cover all its HS codes.")
    via: dict[str, Any] | None = Field(description="The broader product the record is on.")
    veterinary_requirements: dict[str, Any] | None
    as_of: dict[str, Any] | None
    record: str | None
    sources: list[dict[str, Any]]
    inferred: list[dict[str, Any]]
    partial: list[dict[str, Any]] = Field(description="Records answering for narrower products "
                                          "(`via` when inherited from another group of theirs).")
    message: str
