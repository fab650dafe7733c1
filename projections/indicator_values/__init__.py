"""Indicator values: the strategy's own tables (plan against actual), computed from the records."""

from projections.indicator_values.projection import IndicatorValuesProjection

__all__ = ["IndicatorValuesProjection"]
