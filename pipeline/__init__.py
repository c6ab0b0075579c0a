"""Turn messy bilingual notes about language models into a clean, deduplicated catalog.

Consumers read a written catalog with `load_catalog`:

    from pipeline import load_catalog
    catalog = load_catalog("normalized")

Names are resolved on first use (PEP 562) so `import pipeline` stays cheap: no
stage, and neither spaCy nor jieba, is imported until it is needed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import CatalogError, LoadedCatalog, load_catalog
    from .models import SCHEMA_VERSION, EvidenceRow, Project

__all__ = ["load_catalog", "LoadedCatalog", "CatalogError", "Project", "EvidenceRow", "SCHEMA_VERSION"]

_HOMES = {"load_catalog": "api", "LoadedCatalog": "api", "CatalogError": "api",
          "Project": "models", "EvidenceRow": "models", "SCHEMA_VERSION": "models"}


def __getattr__(name: str):
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
