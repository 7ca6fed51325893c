"""The real PACER corpus (``../shared/pacer-corpus`` or ``$PACER_CORPUS``) and field agreement.

Agreement counts every key of every docket, party, attorney, entry and attachment as a field;
lists are matched item by item (position by position), and a missing item counts all its fields
as different.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".acms_json")
# A folder of JSON pages (ACMS attachment lists) pairs ``X.compare.json`` (the page, as ACMS's API
# returned it) with ``X.json`` (the reference parse): there ``.json`` alone is no page's suffix.
COMPARED_SUFFIX = ".compare.json"


def corpus_root() -> Path | None:
    """The corpus folder, or None where it is absent."""
    env = os.environ.get("PACER_CORPUS")
    candidates = [Path(env)] if env else []
    # Beside the checkout (../shared), also from a worktree one level deeper (../../shared).
    project = Path(__file__).resolve().parents[2]
    candidates += [ancestor / "shared" / "pacer-corpus" for ancestor in project.parents[:2]]
    for path in candidates:
        if path.is_dir():
            return path
    return None


def corpus_cases(folder: str) -> list[tuple[Path, Path]]:
    """(page, expected JSON) pairs in a corpus folder, sorted by name."""
    root = corpus_root()
    if root is None:
        return []
    pairs = []
    for page in sorted((root / folder).iterdir()):
        if page.name.lower().endswith(COMPARED_SUFFIX):
            expected = page.with_name(page.name[: -len(COMPARED_SUFFIX)] + ".json")
        elif page.suffix.lower() in PAGE_SUFFIXES:
            expected = page.with_suffix(".json")
        else:
            continue
        if expected.exists():
            pairs.append((page, expected))
    return pairs


def court_of(path: Path) -> str:
    """The court is the file name before its first ``_`` (``cand_263146.html`` is ``cand``)."""
    return path.stem.split("_", 1)[0]


@dataclass
class Agreement:
    equal: int = 0
    total: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.equal / self.total if self.total else 1.0

    def add(self, other: "Agreement") -> None:
        self.equal += other.equal
        self.total += other.total
        self.differences.extend(other.differences)


def _normalize(value):
    # JSON round trip, so that ints vs. strings and tuples vs. lists compare as PACER-JSON does.
    return json.loads(json.dumps(value, default=str))


def compare(ours, expected, path: str = "$") -> Agreement:
    """Field-by-field agreement of ``ours`` with ``expected`` (the reference JSON)."""
    ours, expected = _normalize(ours), _normalize(expected)
    result = Agreement()
    _compare(ours, expected, path, result)
    return result


def _compare(ours, expected, path, result: Agreement) -> None:
    if isinstance(expected, dict) and expected:
        ours = ours if isinstance(ours, dict) else {}
        for key, value in expected.items():
            _compare(ours.get(key, _Missing), value, f"{path}.{key}", result)
        return
    if isinstance(expected, list) and expected:
        ours = ours if isinstance(ours, list) else []
        for index, value in enumerate(expected):
            _compare(ours[index] if index < len(ours) else _Missing, value, f"{path}[{index}]", result)
        extra = len(ours) - len(expected)
        if extra > 0:
            result.total += extra
            result.differences.append(f"{path}: {extra} items more than expected")
        return
    if ours is _Missing and isinstance(expected, (dict, list)):
        result.total += 1
        result.differences.append(f"{path}: missing")
        return
    result.total += 1
    if ours == expected:
        result.equal += 1
    else:
        shown = "missing" if ours is _Missing else repr(ours)[:120]
        result.differences.append(f"{path}: ours {shown} != expected {repr(expected)[:120]}")


class _MissingType:
    def __repr__(self):
        return "<missing>"


_Missing = _MissingType()
