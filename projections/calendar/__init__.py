"""Read model "what is planned in which network's calendar": events, their status and who is invited."""

from projections.calendar.projection import CalendarProjection

__all__ = ["CalendarProjection"]
