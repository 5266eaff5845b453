"""The rebuild benchmark runs end to end on a small history and prints every figure it promises."""

from __future__ import annotations

import re

import pytest

from tests.benchmarks import run_benchmark


@pytest.mark.postgres
async def test_the_rebuild_benchmark_prints_rates_memory_and_latencies(
    postgres_databases: object,
) -> None:
    text = await run_benchmark("bench.rebuild", "--events", "2000")
    assert "loaded 2,000 events (200 proposals)" in text
    assert re.search(r"rebuild of every read model .* [\d,]+ ev/s\s+[\d.]+x", text)
    assert re.search(r"rebuild peak RSS: \d+ MB", text)
    assert len(re.findall(r"p99\s+[\d.]+ ms", text)) >= 5
