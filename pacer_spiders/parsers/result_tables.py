"""PACER's result tables: a header row of column labels, then one row per hit.

The advanced case query (iquery.pl) and the written opinions report (WrtOpRpt.pl) list their hits
this way.  Columns are found by their labels, not by position, because courts add or leave out
columns (a "Name" column when the search was by person, a "Notes" column at some courts).
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.parsers.docket_common import squash, text_content

_LABEL_END = lazy_compile(r"[\s:]+$")


def label_key(text: str) -> str:
    """A header cell's label as a key: lower case, single spaces, no trailing colon."""
    return _LABEL_END.sub("", squash(text).lower())


def header_row(root, required: str):
    """(the header row, {label key: column index}) of the table whose header has a label starting
    with ``required`` (a label key), or (None, {})."""
    for row in root.iter("tr"):
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        labels = [label_key(text_content(cell)) for cell in cells]
        if any(label.startswith(required) for label in labels):
            return row, {label: index for index, label in enumerate(labels) if label}
    return None, {}


def column(columns: dict, prefix: str) -> str | None:
    """The label of the column whose label starts with ``prefix``, or None."""
    return next((label for label in columns if label.startswith(prefix)), None)


def rows_after(header):
    """The rows of the header's table after the header (tbody or not)."""
    following = list(header.itersiblings("tr"))
    parent = header.getparent()
    if parent is not None and parent.tag in ("tbody", "thead"):
        for section in parent.itersiblings("tbody"):
            following.extend(child for child in section if child.tag == "tr")
    return following


def cells_by_label(row, columns: dict, anchor_label: str, anchor_index: int) -> dict:
    """The row's cells by label.  ``anchor_index`` is where the cell of ``anchor_label`` is in this
    row: a row that leaves out leading cells (PACER prints a person's name once for several cases)
    is aligned on it."""
    cells = [cell for cell in row if cell.tag in ("td", "th")]
    offset = anchor_index - columns[anchor_label]
    found = {}
    for label, index in columns.items():
        position = index + offset
        if 0 <= position < len(cells):
            found[label] = cells[position]
    return found
