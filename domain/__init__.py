"""Splot's domain: aggregates, their events, invariants and use cases.

Imports only the standard library and `eventsourcing` (pydantic lives at the API boundary).
"""
