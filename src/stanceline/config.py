"""The one Settings object. Built by ``load_settings()``, never at import."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from stanceline.errors import ConfigError

DEFAULT_DB = "sqlite:///stanceline.db"
BUNDLED_PACK = Path(__file__).parent / "packs" / "iran_us"


class Settings(BaseSettings):
    """Every knob of stanceline; env vars use the ``STANCELINE_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="STANCELINE_", extra="ignore")

    db: str = Field(DEFAULT_DB, description="SQLAlchemy URL of the store")
    pack: Path = Field(BUNDLED_PACK, description="Domain pack folder")
    extractor: str = Field("attribution.v2", description="Registered statement extractor (attribution.v1: the rules alone)")
    judge: str = Field("cascade.v2", description="Registered stance judge (cascade.v2: the rules, the fine-tuned encoder "
                       "behind them; cascade.v1: the lexical model behind them; lexicon.v1: the rules alone)")
    extract_every_attribution: bool = Field(False, description="Keep every attribution a learned extractor finds "
                                    "(beliefs, plans, unidentified sources), not only statements; eval --all-attributions turns it on")
    review_threshold: float = Field(0.6, ge=0.0, le=1.0, description="Judgements less confident than this await review")
    review_judge: str | None = Field(None, description="A second registered judge; where it disagrees, a statement awaits review")
    spacy_model: str = Field("en_core_web_sm", description="spaCy pipeline to load first")
    spacy_exclude: tuple[str, ...] = Field(("ner",), description="spaCy components not loaded (NER costs half the time)")
    workers: int = Field(0, description="Worker processes for ingest; 0 = number of cores")
    max_input_bytes: int = Field(20_000_000, description="Inputs larger than this are quarantined")
    fetch_timeout_s: float = Field(20.0, description="Timeout of one network operation (connect, each read)")
    fetch_deadline_s: float = Field(60.0, gt=0, description="Longest time spent on one URL, redirects and retries included")
    fetch_max_bytes: int = Field(10_000_000, description="Largest HTTP body accepted")
    allow_private: bool = Field(False, description="Allow fetching loopback/private addresses")
    api_token: str | None = Field(None, description="Token required by write endpoints")
    api_max_body_bytes: int = Field(1_000_000, description="Largest request body the API reads (413 beyond)")
    api_auth_failures_per_min: int = Field(20, description="Failed write-token attempts per client per minute before 429")
    api_trusted_proxies: tuple[str, ...] = Field(
        (), description="Addresses or networks of reverse proxies whose X-Forwarded-For is believed; none by default")
    api_cache_mb: int = Field(64, description="Memory for cached API responses per server process; 0 = off")
    llm_url: str | None = Field(None, description="OpenAI-compatible endpoint for llm.v1 (llama.cpp, vLLM, Ollama, a hosted API)")
    llm_model: str | None = Field(None, description="Model name sent to the endpoint")
    llm_api_key: SecretStr | None = Field(None, description="API key of the endpoint (never logged or stored)")
    llm_api_key_file: Path | None = Field(None, description="File whose first line is the API key")
    llm_timeout_s: float = Field(120.0, gt=0, description="Timeout of one request to the endpoint")
    llm_concurrency: int = Field(2, ge=1, le=64, description="Requests in flight at once, per worker")
    llm_max_retries: int = Field(3, ge=0, le=10, description="Retries after a timeout, 429 or 5xx (exponential backoff)")
    llm_response_format: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema", description="How the JSON schema is sent: json_schema (OpenAI, vLLM, Ollama), "
        "json_object (llama.cpp's Python server), none (in the prompt only)")
    llm_chunk_chars: int = Field(6000, ge=500, description="Longer articles go to the model in chunks of this size")
    llm_max_tokens: int = Field(2048, ge=16, description="Most tokens one answer may have")
    llm_cache_db: str | None = Field(None, description="Database keeping the model's answers; default: the store "
                                     "(eval keeps them in the store, not in its temporary database)")
    near_duplicate_threshold: float = Field(0.8, description="MinHash Jaccard for near-dups")

    @field_validator("api_trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError: not an address or network
        return value


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from (lowest first) defaults, a TOML file, env vars, overrides.

    The TOML file is ``config_file``, else ``$STANCELINE_CONFIG``, else
    ``stanceline.toml`` in the working directory when present.
    """
    path = config_file or (Path(os.environ["STANCELINE_CONFIG"]) if "STANCELINE_CONFIG" in os.environ else None)
    if path is None and Path("stanceline.toml").is_file():
        path = Path("stanceline.toml")
    file_values: dict[str, Any] = {}
    if path is not None:
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8")).get("stanceline", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
    env_set = {name for name in Settings.model_fields if f"STANCELINE_{name.upper()}" in os.environ}
    values = {k: v for k, v in file_values.items() if k not in env_set}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except Exception as exc:  # pydantic.ValidationError: show it as a config problem
        raise ConfigError(f"invalid settings: {exc}") from exc
