"""Unit checks of the build hook's text transforms (the built site is checked in test_site and tests/browser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from hooks import bilingual


def _material_worker() -> Path:
    import material

    found = sorted((Path(material.__file__).parent / "templates/assets/javascripts/workers").glob("search.*.min.js"))
    assert len(found) == 1
    return found[0]


def test_query_segmentation_fix_applies_to_the_pinned_material(tmp_path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    worker = workers / _material_worker().name
    shutil.copy(_material_worker(), worker)
    bilingual.fix_chinese_query_segmentation(tmp_path)
    code = worker.read_text(encoding="utf-8")
    assert all(new in code and old not in code for old, new in bilingual._SEGMENT_FIXES)
    bilingual.fix_chinese_query_segmentation(tmp_path)  # a second build over the same files is a no-op
    assert worker.read_text(encoding="utf-8") == code


def test_query_segmentation_fix_fails_loudly_when_material_changes(tmp_path):
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    (workers / "search.0000.min.js").write_text("function segment(){/* rewritten upstream */}", encoding="utf-8")
    with pytest.raises(PluginError, match="query segmentation changed"):
        bilingual.fix_chinese_query_segmentation(tmp_path)
