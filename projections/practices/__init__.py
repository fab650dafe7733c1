"""Read model "good practices": the library's index (issue 14); a practice's details come from its aggregate."""

from projections.practices.projection import PracticesProjection

__all__ = ["PracticesProjection"]
