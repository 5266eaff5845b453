"""Settings read from the environment, and how `serve --workers N` shares the connections."""

from __future__ import annotations

import pytest

from registry.cli.serve_cmd import SERVE_CONNECTION_BUDGET, connections_per_worker
from registry.settings import DEFAULT_DATABASE_CONNECTIONS, Settings


def test_a_process_has_sixty_connections_forty_pooled_and_twenty_for_hot_reads() -> None:
    settings = Settings.from_env({})
    assert settings.database_connections == DEFAULT_DATABASE_CONNECTIONS == 60
    assert (settings.pooled_connections, settings.hot_read_connections) == (40, 20)


def test_the_environment_sets_a_process_s_connections() -> None:
    settings = Settings.from_env({"KERJASAMA_DATABASE_CONNECTIONS": "12"})
    assert (settings.pooled_connections, settings.hot_read_connections) == (8, 4)


@pytest.mark.parametrize("text", ["2", "-1", "many", "4.5"])
def test_too_few_or_not_a_number_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="KERJASAMA_DATABASE_CONNECTIONS"):
        Settings.from_env({"KERJASAMA_DATABASE_CONNECTIONS": text})


@pytest.mark.parametrize("workers", [2, 3, 4, 8, 30])
def test_workers_share_a_budget_under_postgresql_s_default_max_connections(workers: int) -> None:
    share = connections_per_worker(workers)
    assert workers * share <= max(SERVE_CONNECTION_BUDGET, workers * 3)
    assert SERVE_CONNECTION_BUDGET + 10 <= 100  # room for the projector and an administrator
    assert Settings(database_connections=share).hot_read_connections >= 1


def test_one_worker_keeps_what_a_single_process_has() -> None:
    assert connections_per_worker(1) == DEFAULT_DATABASE_CONNECTIONS
