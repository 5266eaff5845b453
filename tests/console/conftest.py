"""The console through the app in process, on each backend, with the API suite's tokens."""

from tests.api.conftest import api

__all__ = ["api"]
