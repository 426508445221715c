"""Settings from flags and AGRIKG_* environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph import DATA_DIR, ONTOLOGY_DIR, PROJECT_DIR


class Settings(BaseSettings):
    """Where the graph is built and served from; every field has an AGRIKG_ variable."""

    model_config = SettingsConfigDict(env_prefix="AGRIKG_", extra="ignore")

    home: Path = Field(PROJECT_DIR / "var", description="Where builds and the served store live.")
    data_dir: Path = Field(DATA_DIR, description="The curated data files (CSV, YAML).")
    ontology_dir: Path = Field(ONTOLOGY_DIR, description="The ontology and SHACL shapes.")
    endpoint: str | None = Field(None, description="A remote SPARQL 1.1 query endpoint URL to use "
                                 "instead of the embedded store.")
    endpoint_timeout: float = Field(30.0, description="Seconds to wait for the remote endpoint.")
    lang: Literal["kk", "ru", "en"] = Field("en", description="Default answer language.")
    exporter: str = Field("KZ", description="The exporting country (ISO alpha-2).")
    keep_builds: int = Field(3, ge=1, description="How many builds to keep on disk.")

    @property
    def current(self) -> Path:
        """The served build: a symlink swapped atomically when a new build is valid."""
        return self.home / "current"
