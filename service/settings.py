"""Settings from the environment (GOVGRAPH_*), with defaults that need no set-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Right = Literal["read", "write", "personal"]
PLACEHOLDER_TOKENS = {"changeme", "change-me", "secret", "token", "test", "password", ""}


def default_store() -> str:
    """A file in the user's data directory: the same store whatever the working directory."""
    return str(Path(user_data_dir("govgraph", appauthor=False)) / "govgraph.db")


class Settings(BaseSettings):
    """GOVGRAPH_STORE, GOVGRAPH_TOKENS='{"<token>": ["write", "personal"]}', …"""

    model_config = SettingsConfigDict(env_prefix="GOVGRAPH_")

    environment: Literal["development", "production"] = "development"
    store: str = Field(default_factory=default_store)
    tokens: dict[str, list[Right]] = Field(
        default_factory=dict, repr=False,
        description="token → rights; every token may read; 'write' loads records; 'personal' "
                    "sees people's names unmasked")
    read_requires_token: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    # a street's records and registers are tens of KB; 1 MB is read or refused within about 2 s
    # (python -m benchmarks.bad_input); larger imports go through the command line
    max_upload_bytes: int = 1024 * 1024
    # answers kept per process until the store changes; 0 answers every request afresh
    answer_cache_entries: int = Field(default=512, ge=0)
    # read the graph and make what whole-city questions read before answering (a city: about
    # 10 s of start-up), not at the first question
    prepare_on_start: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    definitions: dict[str, float] = Field(
        default_factory=dict,
        description="the city's choices of 口径, parameter → value, over the documented "
                    "defaults (docs/definitions.md): "
                    "GOVGRAPH_DEFINITIONS='{\"management_committee_counts\": 0}'")

    @model_validator(mode="after")
    def _known_definitions(self) -> Settings:
        from govgraph.graph.rules import PARAMETERS, chosen

        chosen(PARAMETERS, self.definitions, "GOVGRAPH_DEFINITIONS")  # ValueError names it
        return self

    @model_validator(mode="after")
    def _no_placeholder_tokens(self) -> Settings:
        weak = [t for t in self.tokens if t.lower() in PLACEHOLDER_TOKENS or len(t) < 16]
        if weak and self.environment != "development":
            raise ValueError("GOVGRAPH_TOKENS holds a placeholder or short token (under 16 "
                             "characters); set real secrets outside development")
        return self
