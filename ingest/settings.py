"""Settings of the two ingest services and the log simulator."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator

from backend.settings import CommonSettings, refuse_placeholder


class ElasticsearchSettings(CommonSettings):
    """Where the logs are read from (or, for the simulator, written to)."""

    es_url: str = "http://127.0.0.1:9200"
    es_jenkins_index: str = Field(default="jenkins-logs-*", min_length=1)
    es_api_index: str = Field(default="api-logs-*", min_length=1)
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_verify_certs: bool = True
    es_ca_certs: Path | None = None
    es_request_timeout_s: float = Field(default=30.0, gt=0)

    _check_key = field_validator("es_api_key", "es_password")(refuse_placeholder)

    @field_validator("es_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_auth(self) -> ElasticsearchSettings:
        if self.es_api_key is not None and self.es_username is not None:
            raise ValueError("set ES_API_KEY or ES_USERNAME/ES_PASSWORD, not both")
        if (self.es_username is None) != (self.es_password is None):
            raise ValueError("ES_USERNAME and ES_PASSWORD go together")
        return self


class PublisherSettings(ElasticsearchSettings):
    """`runbooks ingest publish`: Elasticsearch -> the `logs` exchange."""

    es_page_size: int = Field(default=1000, ge=1, le=10_000)
    es_overlap_s: float = Field(
        default=120.0,
        ge=0,
        description="Re-read this far behind the checkpoint for documents indexed late.",
    )
    es_poll_interval_s: float = Field(default=1.0, gt=0)
    es_late_sweep_interval_s: float = Field(
        default=15.0, gt=0, description="How often the overlap window is re-read."
    )
    es_tiebreaker_field: str = Field(
        default="_id",
        min_length=1,
        description="Second sort key after @timestamp; must be unique per document.",
    )
    ingest_mapping_file: Path | None = Field(
        default=None, description="Field mapping YAML; the bundled default when unset."
    )
    publish_backoff_max_s: float = Field(default=30.0, gt=0)
    publish_max_in_flight: int = Field(
        default=256, ge=1, le=10_000, description="Publishes awaiting their confirm at once."
    )


class BackendClientSettings(CommonSettings):
    """How to reach the backend's ingestion API."""

    backend_url: str = Field(
        default="http://127.0.0.1:3001",
        # `runbooks up` hands its services API_URL; BACKEND_URL wins when both are set.
        validation_alias=AliasChoices("backend_url", "api_url"),
    )
    api_token: SecretStr = Field(description="Bearer token of the backend API.")

    _check_token = field_validator("api_token")(refuse_placeholder)

    @field_validator("backend_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


class ConsumerSettings(BackendClientSettings):
    """`runbooks ingest consume`: the log queues -> the backend's ingestion API."""

    consume_batch_size: int = Field(default=500, ge=1, le=5000)
    consume_batch_wait_s: float = Field(
        default=0.25, gt=0, description="Send a partial batch after this long."
    )
    consume_request_timeout_s: float = Field(default=30.0, gt=0)
    consume_backoff_max_s: float = Field(default=30.0, gt=0)


class OtlpSettings(CommonSettings):
    """The OTLP/HTTP logs receiver mounted on the API."""

    ingest_mapping_file: Path | None = Field(
        default=None, description="Field mapping YAML; the bundled default when unset."
    )
