"""Signed approvals: change ids, SSH signatures, allowed signers, the ledger."""
