"""What an audit request can run into: each maps to one problem in `registry.api.problems`."""

from __future__ import annotations


class TreeSizeUnavailable(Exception):
    """A tree size beyond the log's head: that tree does not exist yet (404)."""

    def __init__(self, size: int, head: int) -> None:
        super().__init__(f"the log holds {head} events: there is no tree of size {size} yet")
        self.size = size
        self.head = head


class ProofUndefined(Exception):
    """A proof the sizes themselves rule out, such as a position past the tree's end (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class LogBroken(Exception):
    """The stored log contradicts itself at `position`: no honest proof can be given (409)."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"position {position}: {reason}")
        self.position = position
