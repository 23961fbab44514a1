"""Request and reply bodies of the REST API (read models live with their services)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.services.incident_models import IncidentPublic


class IncidentChangesPublic(BaseModel):
    opened: list[int]
    updated: list[int]


class IngestReply(BaseModel):
    """What a posted log batch did."""

    stored: int = Field(description="Records stored now.")
    duplicates: int = Field(description="Records whose source identity was already stored.")
    incidents: IncidentChangesPublic


class IncidentList(BaseModel):
    incidents: list[IncidentPublic]
    count: int


class AcknowledgeIn(BaseModel):
    actor: str = Field(default="api", min_length=1, max_length=200, description="Who acknowledges.")


class ResolveIn(BaseModel):
    actor: str = Field(default="api", min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=10_000)
    method: str = Field(default="manual", min_length=1, max_length=64)


class ResolveByJobIn(ResolveIn):
    job_name: str = Field(min_length=1, max_length=512)


class HealthReply(BaseModel):
    status: str = "ok"
