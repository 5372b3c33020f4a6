"""Pydantic models of the course files (course.yaml and weeks/weekNN.md front matter)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from labkit.manifest import LAB_ID_PATTERN


class ModuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^m\d{2}$")
    number: int = Field(ge=1)
    title: str = Field(min_length=3)
    weeks: list[int] = Field(min_length=1)


class CourseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    modules: list[ModuleFile] = Field(min_length=1)


class ChecklistEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^w\d{2}-[a-z0-9][a-z0-9-]*$", max_length=80)
    text: str = Field(min_length=1)
    children: list["ChecklistEntry"] = []


class LabEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=LAB_ID_PATTERN)
    title: str = Field(min_length=3)


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: HttpUrl
    note: str = ""


class WeekFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^week\d{2}$")
    number: int = Field(ge=1, le=33)
    module: str
    title: str = Field(min_length=3)
    topics: list[str] = []
    checklist: list[ChecklistEntry] = Field(min_length=1)
    labs: list[LabEntry] = []
    discussions: list[str] = []
    readings: list[Reading] = []
