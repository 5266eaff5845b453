"""Unit tests of the pure domain: no IO, no database."""
