"""Audit proofs an auditor can check alone: signed tree heads, Merkle proofs, bundles."""
