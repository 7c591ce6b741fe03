"""Settings from the environment (GOVGRAPH_*), with defaults that need no set-up."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store() -> str:
    """A file in the user's data directory: the same store whatever the working directory."""
    return str(Path(user_data_dir("govgraph", appauthor=False)) / "govgraph.db")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVGRAPH_")

    store: str = Field(default_factory=default_store)
