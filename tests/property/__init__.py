"""Property tests (hypothesis) of the proposal lifecycle."""
