"""Shared pytest configuration: hypothesis profiles and data locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

#: ``../shared/data`` beside the project checkout, if present.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def gap_dir() -> Path:
    """Folder of the OR-Library GAP instances; skips when ../shared is absent."""
    path = SHARED_DATA / "gap"
    if not path.is_dir():
        pytest.skip(f"GAP instances not found at {path} (../shared is absent)")
    return path
