"""Read model "who did what with whom, when": the activity register of cooperation records."""

from projections.activity_register.projection import ActivityRegisterProjection

__all__ = ["ActivityRegisterProjection"]
