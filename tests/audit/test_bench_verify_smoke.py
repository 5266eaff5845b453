"""The audit benchmark runs end to end on a small log and prints every figure it promises."""

from __future__ import annotations

import re

import pytest

from tests.benchmarks import run_benchmark


@pytest.mark.postgres
async def test_the_verify_benchmark_prints_rates_ratios_and_memory(
    postgres_databases: object,
) -> None:
    text = await run_benchmark("bench.verify", "--events", "3000")
    assert "loading 3,000 events" in text
    for label in ("store.verify()", "signed tree head", "inclusion proof", "offline check"):
        line = next(line for line in text.splitlines() if label in line)
        assert re.search(r"[\d,]+ ev/s\s+[\d.]+x\s+[\d.]+ s\s+\d+ MB", line), line
