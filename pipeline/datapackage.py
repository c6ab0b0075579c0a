"""Describe the CSV outputs as a Frictionless Data Package (`datapackage.json`).

Other tools read the catalog through its CSV files; the package tells them the
columns, their types, the primary keys and the foreign key from evidence rows
to projects, in a form that generic validators (frictionless) check. The
columns are derived from the pydantic records, so a field added to `Project`
shows up here without a second list to keep in step; its description is the
one thing that has to be written by hand (a test insists on it).

The package describes the contract, not the data: it names no row counts and
no hashes, so it changes only when the contract does and stays byte-identical
across extract runs over different notes.
"""
from __future__ import annotations

import json
import typing
from typing import Literal, get_args, get_origin

from .models import SCHEMA_VERSION, EvidenceRow, Project

PROFILE = "https://datapackage.org/profiles/2.0/{}.json"
LIST_DELIMITER = " | "
"""How list cells are joined in the CSVs; must equal emit.LIST_JOIN (a test checks it)."""

ID_PATTERN = "^[a-z0-9][a-z0-9-]*$"
"""Project ids are ASCII slugs: lowercase letters, digits and hyphens."""

FORMULA_NOTE = ("A cell that would start with =, +, -, @, tab or CR carries a leading apostrophe "
                "so spreadsheets do not run it; projects.json has the exact value.")

PROJECT_DESCRIPTIONS = {
    "id": "Stable ASCII slug derived from the name; unique.",
    "name": "The name the entry gives itself (English form preferred).",
    "aliases": "Other names used for the project, sorted.",
    "kind": "What the entry is.",
    "urls": "Canonical http(s) URLs, sorted; their domain and type are in projects.json.",
    "base_models": "Model families the project is built on, sorted.",
    "parameters": "Parameter counts as integers, ascending.",
    "languages": "Language codes the notes give, sorted.",
    "organizations": "Organizations the notes name, sorted.",
    "sources": "Every note line that mentions the project, as file:line, sorted.",
}

EVIDENCE_DESCRIPTIONS = {
    "id": "The project the value belongs to (projects.csv id).",
    "field": "The projects.csv column the value fills.",
    "value": "The extracted value as text (a URL, a family name, an integer...).",
    "file": "The note, relative to the raw folder.",
    "line": "1-based line number in the note.",
    "quote": "The exact raw text on that line the value came from.",
}


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _item_type(annotation: object) -> str:
    if annotation is int:
        return "integer"
    return "string"


def field_descriptor(name: str, annotation: object, description: str) -> dict:
    """Map one pydantic field annotation onto a Table Schema field."""
    field: dict = {"name": name, "description": description}
    origin = get_origin(annotation)
    if origin in (list, tuple):
        (item,) = get_args(annotation)[:1]
        field.update(type="list", delimiter=LIST_DELIMITER, itemType=_item_type(item))
    elif origin is Literal:
        field.update(type="string", constraints={"enum": list(get_args(annotation))})
    elif annotation is int:
        field["type"] = "integer"
    else:
        field["type"] = "string"
    return field


def _fields(model: type, descriptions: dict[str, str]) -> list[dict]:
    hints = typing.get_type_hints(model)
    return [field_descriptor(name, hints[name], descriptions.get(name, "")) for name in model.model_fields]


def projects_schema() -> dict:
    fields = _fields(Project, PROJECT_DESCRIPTIONS)
    for field in fields:
        if field["name"] == "id":
            field["constraints"] = {"required": True, "unique": True, "pattern": ID_PATTERN}
        elif field["name"] == "name":
            field["constraints"] = {"required": True}
    return {"$schema": PROFILE.format("tableschema"), "fields": fields, "primaryKey": ["id"], "missingValues": [""]}


def evidence_schema() -> dict:
    fields = _fields(EvidenceRow, EVIDENCE_DESCRIPTIONS)
    project_columns = [name for name in Project.model_fields if name not in ("id", "sources")]
    for field in fields:
        field.setdefault("constraints", {})["required"] = True
        if field["name"] == "id":
            field["constraints"]["pattern"] = ID_PATTERN
        elif field["name"] == "field":
            field["constraints"]["enum"] = project_columns
        elif field["name"] == "line":
            field["constraints"]["minimum"] = 1
    names = list(EvidenceRow.model_fields)
    return {
        "$schema": PROFILE.format("tableschema"),
        "fields": fields,
        "primaryKey": names,
        "foreignKeys": [{"fields": ["id"], "reference": {"resource": "projects", "fields": ["id"]}}],
        "missingValues": [""],
    }


def _resource(name: str, title: str, description: str, schema: dict) -> dict:
    return {
        "$schema": PROFILE.format("dataresource"),
        "name": name,
        "title": title,
        "description": f"{description} {FORMULA_NOTE}",
        "type": "table",
        "path": f"{name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"$schema": PROFILE.format("tabledialect"), "header": True, "delimiter": ",",
                    "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True},
        "schema": schema,
    }


def datapackage() -> dict:
    """Return the Data Package descriptor of the catalog's CSV files."""
    return {
        "$schema": PROFILE.format("datapackage"),
        "name": "llm-catalog",
        "title": "Catalog of open-source language models",
        "description": ("Projects extracted from bilingual notes, one row each (projects.csv), and the evidence "
                        "behind every extracted value (evidence.csv). projects.json holds the same records with "
                        "URL domains and types; schema.json is its JSON Schema."),
        "schema_version": SCHEMA_VERSION,
        "resources": [
            _resource("projects", "Projects", "One row per project, in projects.json order; list cells are "
                      "joined with ' | '.", projects_schema()),
            _resource("evidence", "Evidence", "One row per extracted value and the note line it came from.",
                      evidence_schema()),
        ],
    }


def render_datapackage() -> str:
    """Serialize the descriptor the way every JSON output is written (sorted keys, LF)."""
    return _dumps(datapackage())
