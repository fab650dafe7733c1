"""Exports people open outside Splot: task reports (text, CSV) and the audit trail (CSV).

Every CSV goes through `csv.write_csv` (UTF-8 with BOM, ';', formula cells defused); the words
come from `domain.labels` in the language asked for (Polish by default).
"""
