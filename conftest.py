"""Shared pytest setup: the shared fixtures folder and the requirement switches CI sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_SAT = Path(__file__).resolve().parent.parent / "shared" / "fixtures" / "sat"


def required(name: str) -> bool:
    """CI sets BUZON_REQUIRE_<NAME>=1 so that a missing component fails instead of skipping."""
    return os.environ.get(f"BUZON_REQUIRE_{name}") == "1"


def skip_or_fail(name: str, reason: str) -> None:
    if required(name):
        pytest.fail(f"{reason} (BUZON_REQUIRE_{name}=1)")
    pytest.skip(reason)


@pytest.fixture
def sat_fixtures() -> Path:
    if not SHARED_SAT.is_dir():
        pytest.skip(f"SAT fixtures not found at {SHARED_SAT}: ../shared is absent")
    return SHARED_SAT
