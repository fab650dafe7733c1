"""Read model "who is who": municipalities, networks, institutions, firms and memberships."""

from projections.registry.projection import RegistryProjection

__all__ = ["RegistryProjection"]
