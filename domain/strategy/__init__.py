"""The strategy: goals, programmes, tasks, their stages and indicators, and the indicator rules.

Everything here is recorded as events on one `Strategy` aggregate, so every change of plan is
audited; the rules that compute an indicator's achieved value from the records are pure
functions in `rules.py`.
"""
