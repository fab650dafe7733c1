"""Read model "who did what, when and why": every stored event for auditors, and record histories with diffs."""

from projections.audit_trail.projection import AuditTrailProjection

__all__ = ["AuditTrailProjection"]
