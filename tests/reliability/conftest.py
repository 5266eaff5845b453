"""The real `kerjasama serve` of the end-to-end tests, for the tests of behaviour under load."""

from tests.e2e.conftest import server

__all__ = ["server"]
