"""Pydantic In/Out models of the JSON API: the public contract, separate from the domain events."""
