"""The check's answer as typed models (pydantic), shared by the CLI and the API:
`agrikg check` validates what it prints against `AccessAnswer` (check.validated), `/access`
declares it as its response model (and so documents it in OpenAPI), and the tests validate
every answer they see."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    # Exact: a field the answer gains must be added here, so the documentation keeps up.
    model_config = ConfigDict(extra="forbid")


class ProductRef(_Model):
    id: str
    iri: str
    label: str
    hs_codes: list[str]
    matched_by: str | None = Field(None, description="How the asked name matched (label, "
                                   "synonym, hs-code, ...); absent on nested products.")
    query: str | None = None


class MarketRef(_Model):
    code: str | None
    iri: str
    label: str
    matched_by: str | None = None
    query: str | None = None


class ExporterRef(_Model):
    code: str
    iri: str
    label: str


class DateValue(_Model):
    value: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD.")
    precision: str | None = Field(description="year, month or day.")


class VetStatus(_Model):
    code: str
    label: str


class Source(_Model):
    """A statement a record rests on: the source's own words (`quote`, in the document's
    language `quote_lang`), our translations, who said it, where and in which document."""

    statement: str
    quote: str
    quote_lang: str
    quote_kk: str | None = Field(description="The Kazakh text: the quote when the document "
                                 "is Kazakh, else our translation.")
    translation_en: str | None = Field(description="The English text: the quote when the "
                                       "document is English, else our translation.")
    translation: str | None = Field(description="Our translation in the asked language (else "
                                    "English, else any): never the quote itself.")
    translation_lang: str | None
    speaker: str | None
    role: str | None
    event: str | None
    event_date: str | None
    event_date_inferred: bool
    document: str | None
    document_label: str | None
    direct_speech: bool
    url: str | None
    publisher: str | None
    published: str | None
    published_precision: str | None


class Inference(_Model):
    field: str
    field_label: str
    inference: str
    reason: str | None


class PermittedReading(_Model):
    stated_by_source: bool = Field(description="Always false: no source says whether supply "
                                   "is permitted.")
    derived_from: str | None = Field(description="status, exporter_measure (a ban of the "
                                     "exporting country in force), conflict, or null (unknown).")
    text: str
    note: str
    measure: str | None = Field(None, description="The ban in force, when derived from it.")


class Coverage(_Model):
    complete: bool
    records: list[str]
    products: list[str]


class Partial(_Model):
    product: ProductRef
    via: ProductRef | None
    status: str
    status_label: str
    permitted: bool | None
    veterinary_requirements: VetStatus | None
    as_of: str | None
    record: str
    sources: list[Source]
    inferred: list[Inference]


class HistoryStep(_Model):
    """One record of the pair or of a broader product, in the answer's `history`."""

    record: str
    product: str = Field(description="The id of the product the record is on.")
    product_label: str
    status: str
    status_label: str
    vet_status: str | None
    as_of: str | None = Field(description="The effective date (the status took effect).")
    precision: str | None
    report_date: str | None = Field(description="The earliest report stating it.")
    answers: bool = Field(description="The record that answers on the asked date (every "
                          "tied record of a conflict).")
    in_effect: bool = Field(description="Its effective start is on or before the asked date.")
    supersedes: list[str]
    sources: list[Source]


class Conflict(_Model):
    as_of: str | None
    product: str
    records: list[str]
    statuses: list[str]


class ExporterMeasure(_Model):
    """An export ban or quota of the exporting country in force on the asked date."""

    measure: str
    kind: str = Field(description="ban or quota.")
    label: str
    start: DateValue | None
    end: DateValue | None = Field(description="null: no end stated.")
    quantity: float | None
    unit: str | None
    products: list[str]
    all_markets: bool
    sources: list[Source]


class AccessAnswer(_Model):
    """The access check's answer, as `agrikg check --json` prints it and `/access` serves it."""

    product: ProductRef = Field(description="The resolved product: id, iri, label, hs_codes, "
                                "matched_by, query.")
    market: MarketRef = Field(description="The resolved market: code, iri, label, matched_by, "
                              "query.")
    exporter: ExporterRef
    lang: str
    as_of_asked: str = Field(description="The asked date as given (YYYY, YYYY-MM or "
                             "YYYY-MM-DD); today's date when none was asked. A year or month "
                             "means its last day.")
    status: str = Field(description="open, requirements-agreed, requirements-planned, "
                        "restriction-lifted, restricted (or another status of the graph); "
                        "unknown (no record); conflict (sources disagree, none picked).")
    status_label: str
    permitted: bool | None = Field(description="Whether supply is possible, as agrikg reads the "
                                   "status (no source states it); false when sources disagree "
                                   "or an export ban of the exporter is in force; null when "
                                   "unknown: never a prohibition.")
    permitted_reading: PermittedReading = Field(description="What `permitted` means here, in "
                                                "the asked language.")
    coverage: Coverage | None = Field(description="When the status comes by complete "
                                      "coverage: the records on the products within the "
                                      "asked one that together cover all its HS codes.")
    via: ProductRef | None = Field(description="The broader product the record is on.")
    veterinary_requirements: VetStatus | None
    as_of: DateValue | None = Field(description="The answering record's effective date.")
    record: str | None
    sources: list[Source]
    inferred: list[Inference]
    partial: list[Partial] = Field(description="Records answering for narrower products "
                                   "(`via` when inherited from another group of theirs).")
    message: str
    history: list[HistoryStep] = Field(description="Every record of the pair and of its "
                                       "broader products, oldest first.")
    conflicts: list[Conflict] = Field(description="The records that answer together on the "
                                      "asked date because their sources disagree (same "
                                      "start, same product, different statuses); the status "
                                      "is then `conflict`.")
    exporter_measures: list[ExporterMeasure] = Field(description="The exporter's own bans and "
                                                     "quotas in force on the asked date that "
                                                     "cover the product and the market.")
