"""Every report unit against the real PACER corpus, file by file and field by field.

Each unit names its corpus folders (``ReportUnit.corpus_folders``).  For every page with the
reference JSON beside it, the differences between our parse and the reference must be exactly the
ones listed for that file in ``tests/corpus_known_differences.tsv`` (``folder/file``, field path,
reason): a new difference in one field of one file fails, and so does a listed one that is gone
(remove its line).  A page whose reference is ``{}`` must be refused with a one-line reason.
Each folder's agreement is printed (``-s``) and must reach 99.5% of fields.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.reports import units
from pacer_spiders.testing.corpus import Agreement, compare, corpus_cases, corpus_root, court_of

pytestmark = pytest.mark.corpus

FLOOR = 0.995
KNOWN = Path(__file__).with_name("corpus_known_differences.tsv")
FOLDERS = sorted((folder, unit.name) for unit in units() for folder in unit.corpus_folders)
# Corpus folders no report unit reads yet (issue "Every PACER report in the corpus"): each leaves
# this list when its unit lands.  A folder on it that a unit reads, or one missing from both, fails.
NOT_YET_PARSED: set[str] = set()
# Corpus folders of data, not pages: what each is and which test uses it.
NOT_PAGES = {
    "dates": "valid_free_opinion_dates.json: per court, a day its written opinions report is known to list "
             "opinions (tests/test_report_units.py: the form of every such court and day)",
}


def known_differences() -> dict[str, dict[str, str]]:
    """``folder/file`` -> {field path: reason}."""
    known: dict[str, dict[str, str]] = defaultdict(dict)
    for number, line in enumerate(KNOWN.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        assert len(parts) == 3 and all(p.strip() for p in parts), f"{KNOWN.name}:{number}: file, path, reason"
        known[parts[0]][parts[1]] = parts[2]
    return known


def _need_corpus():
    if corpus_root() is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")


def parse_corpus_page(report: str, page: Path):
    """Our reference field set of a corpus page, or None when the unit refuses it (with the reason)."""
    unit = next(u for u in units() if u.name == report)
    context = unit.corpus_context(page) if unit.corpus_context else {"court_id": court_of(page)}
    try:
        return parser_for(report, court_of(page))(page.read_bytes(), context), None
    except NotTheReport as exc:
        return None, exc.problem


@pytest.mark.parametrize("folder,report", FOLDERS)
def test_every_file_of_the_folder_is_exactly_as_recorded(folder, report, capsys):
    _need_corpus()
    cases = corpus_cases(folder)
    assert cases, f"no pages with expected JSON in corpus folder {folder}"
    known = known_differences()
    total, unexpected, gone = Agreement(), [], []
    for page, expected_path in cases:
        expected = json.loads(expected_path.read_text("utf-8"))
        ours, problem = parse_corpus_page(report, page)
        if problem is not None:
            assert problem.reason and "\n" not in problem.reason, f"{page.name}: the reason must be one line"
            ours = type(expected)() if isinstance(expected, (dict, list)) else {}
        name = f"{folder}/{page.name}"
        if not expected:
            result = Agreement(equal=int(not ours), total=1)
            if ours:
                result.differences.append("$: parsed a page the reference refuses")
        else:
            result = compare(ours, expected)
            if problem is not None:
                result.differences.insert(0, f"$: refused: {problem}")
        total.add(result)
        paths = {difference.split(":", 1)[0]: difference for difference in result.differences}
        listed = known.get(name, {})
        unexpected += [f"{name} {paths[p]}" for p in sorted(set(paths) - set(listed))]
        gone += [f"{name} {p} (listed: {listed[p]})" for p in sorted(set(listed) - set(paths))]
    with capsys.disabled():
        print(f"\n[corpus] {folder} ({report}): {total.equal}/{total.total} fields equal ({total.ratio:.2%}) "
              f"over {len(cases)} files")
    assert not unexpected, "differences not in corpus_known_differences.tsv:\n" + "\n".join(unexpected[:25])
    assert not gone, "listed differences that no longer occur (remove their lines):\n" + "\n".join(gone[:25])
    assert total.ratio >= FLOOR


def test_every_corpus_folder_is_read_by_a_report_unit():
    _need_corpus()
    root = corpus_root()
    with_pages = {str(path.parent.relative_to(root)) for path in root.rglob("*.json")}
    read = {folder for folder, _report in FOLDERS}
    assert not read & NOT_YET_PARSED, f"read by a unit now, take off NOT_YET_PARSED: {sorted(read & NOT_YET_PARSED)}"
    assert with_pages <= read | NOT_YET_PARSED | set(NOT_PAGES), \
        f"no unit reads {sorted(with_pages - read - NOT_YET_PARSED - set(NOT_PAGES))}"
    assert not any(corpus_cases(folder) for folder in NOT_PAGES), "a data folder now holds pages"


def test_known_differences_name_files_that_exist():
    _need_corpus()
    root = corpus_root()
    missing = [name for name in known_differences() if not (root / name).exists()]
    assert not missing, missing
