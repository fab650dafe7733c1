"""The investor service's read model (issue 14): inquiries, sites, photos, sharing, training, the standard."""

from projections.investor_service.projection import InvestorServiceProjection

__all__ = ["InvestorServiceProjection"]
