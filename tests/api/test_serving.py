"""What `kerjasama serve`'s app does around its requests: start-up leaves the collector settled."""

from __future__ import annotations

import gc
from pathlib import Path

from registry.api.app import create_app
from registry.settings import Settings
from tests.databases import SqliteDatabases


async def test_what_start_up_built_is_left_out_of_later_full_collections(
    sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_databases.clone(), signing_key_file=str(tmp_path / "key.pem")
    )
    app = create_app(settings)
    before = gc.get_freeze_count()
    try:
        async with app.litestar.lifespan():
            assert gc.get_freeze_count() > before
            assert app.litestar.state.services.reference.regions
    finally:
        gc.unfreeze()
