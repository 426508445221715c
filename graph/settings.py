"""Settings from flags and AGRIKG_* environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph import DATA_DIR, ONTOLOGY_DIR, default_home


class Settings(BaseSettings):
    """Where the graph is built and served from; every field has an AGRIKG_ variable."""

    model_config = SettingsConfigDict(env_prefix="AGRIKG_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Where builds and the served "
                       "store live (default: ./var in a checkout, else the user's data directory, "
                       "e.g. ~/.local/share/agrikg).")
    data_dir: Path = Field(DATA_DIR, description="The curated data files (CSV, YAML).")
    ontology_dir: Path = Field(ONTOLOGY_DIR, description="The ontology and SHACL shapes.")
    endpoint: str | None = Field(None, description="A remote SPARQL 1.1 query endpoint URL to use "
                                 "instead of the embedded store.")
    endpoint_timeout: float = Field(30.0, description="Seconds to wait for the remote endpoint.")
    endpoint_graph: str | None = Field(None, description="The graph of the remote endpoint that "
                                       "holds the built graph, sent as default-graph-uri with "
                                       "every request (or give it in the endpoint URL).")
    lang: Literal["kk", "ru", "en"] = Field("en", description="Default answer language.")
    exporter: str = Field("KZ", description="The exporting country (ISO alpha-2).")
    keep_builds: int = Field(3, ge=1, description="How many builds to keep on disk (a build "
                             "still served or read is kept besides them).")

    # Serving (agrikg serve)
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes.")
    query_timeout: float = Field(10.0, gt=0, le=3600,
                                 description="Seconds a /sparql query may run before a 503.")
    row_cap: int = Field(10000, ge=1, description="Most rows (or triples) /sparql returns; "
                         "a cut result carries the header Agrikg-Result-Truncated: true.")
    max_request_bytes: int = Field(262144, ge=1024,
                                   description="Largest request body or query accepted (413).")
    max_header_bytes: int = Field(65536, ge=4096,
                                  description="Largest total size of request headers (431).")
    # httptools' URL parser gives up on a request target of 64 KiB, so the limit stays below it.
    max_url_bytes: int = Field(16384, ge=1024, le=65000,
                               description="Longest request URL (414 above it: send a long "
                                           "query by POST).")
    header_timeout: float = Field(10.0, gt=0, le=600, description="Seconds a client may take "
                                  "to send a request's line and headers, and again its body "
                                  "(408, connection closed).")
    max_pending_connections: int = Field(0, ge=0, description="Most connections still sending "
                                         "their request line and headers, per server process; "
                                         "past it the oldest is closed. 0: half the open-file "
                                         "limit.")
    access_log: bool = Field(False, description="Log every request (uvicorn's access log, with "
                             "control characters escaped).")
    sparql_workers: int = Field(2, ge=1, le=32,
                                description="Query worker processes per API process.")
    query_memory: int = Field(1024, ge=0, le=1048576, description="Megabytes of memory one "
                              "query worker may use (its store caches included); a query past "
                              "it is stopped with a 503 and its worker replaced. 0: no limit, "
                              "else at least 256 (opening a store takes about 200).")
    query_idle: float = Field(300.0, ge=0, le=86400, description="Seconds the query workers "
                              "are kept after the last /sparql query; then they stop and free "
                              "their memory, and the next query starts them again (about half "
                              "a second). 0: kept as long as the build is served.")
    query_sandbox: Literal["preferred", "required"] = Field(
        "preferred", description="Query workers run in a network namespace of their own and "
        "under a seccomp filter against IP sockets where the platform allows it; `preferred` "
        "serves with the query guard alone (and a warning) where neither holds, `required` "
        "refuses to start then.")
    answer_cache: int = Field(64, ge=0, le=65536, description="Megabytes of answers kept per "
                              "build for questions asked again (/sparql, /access); a rebuild "
                              "empties it. 0 or false switches it off.")
    extra: list[str] = Field(default_factory=list, description="Extra RDF files served "
                             "read-only as named graphs beside the built graph: FILE=GRAPH_IRI "
                             "(env: a JSON list).")
    base_url: str | None = Field(None, description="Public URL of this server, for the service "
                                 "description and dataset links (default: from the request).")

    @field_validator("answer_cache", mode="before")
    @classmethod
    def _switch(cls, value: object) -> object:
        """AGRIKG_ANSWER_CACHE=false (or off/no) switches the cache off, true keeps the default."""
        if isinstance(value, str) and value.strip().lower() in ("false", "off", "no"):
            return 0
        if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes"):
            return 64
        return value

    @field_validator("query_memory")
    @classmethod
    def _enough_to_open_a_store(cls, value: int) -> int:
        if 0 < value < 256:
            raise ValueError("must be 0 (no limit) or at least 256 (megabytes): a query worker "
                             "needs about 200 to open the store")
        return value

    @field_validator("endpoint")
    @classmethod
    def _endpoint_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host, checked now: a malformed one would otherwise fail on
        every query."""
        if not value:
            return None
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises on a port that is not a number in range)
        except ValueError as exc:
            raise ValueError(f"not a URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http:// or https:// URL such as "
                             "http://127.0.0.1:7878/query")
        return value

    @property
    def current(self) -> Path:
        """The served build: a symlink swapped atomically when a new build is valid."""
        return self.home / "current"
