"""The proposal aggregate: its state, the decider, its category and its public view."""
