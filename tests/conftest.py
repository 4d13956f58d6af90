from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (the shared data sits beside the project checkout)")
    return path


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(autouse=True)
def _quiet_tqdm(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    yield


def pytest_configure(config):
    os.environ.setdefault("PYTHONHASHSEED", "0")
