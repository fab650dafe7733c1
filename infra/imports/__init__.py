"""Reading registers to import (issue 13): CSV and XLSX files into plain tables, and the XLSX template.

The layout — which sheets, which columns, how a cell becomes a record's field — is the domain's
(domain/use_cases/import_layout.py, docs/IMPORT.md); a reader only turns bytes into `Table`s: a header row (row 1)
and the rows below it with their row numbers, cells as the file typed them (XLSX dates stay dates).
"""

from infra.imports.bulk import ImportStore
from infra.imports.readers import RegisterFileReader, read_register_file
from infra.imports.template import template_xlsx

__all__ = ["ImportStore", "RegisterFileReader", "read_register_file", "template_xlsx"]
