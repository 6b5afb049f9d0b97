"""The writer registry and the terminal table: one module per format, shared by every command."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from example_report import CHECK, example
from hypothesis import given
from hypothesis import strategies as st

from hanchot.cli import main
from hanchot.writers import BUILTIN, Context, emit, load, names
from hanchot.writers.table import write_table
from hanchot.writers.words import cut

PLUGINS = "violations-tsv=writer_plugin,broken=writer_plugin_broken"


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_registered_format_writes_the_example_the_same_twice(name: str, tmp_path: Path) -> None:
    """Each format, through the registry: a non-empty file, byte for byte the same on a second run."""
    writer = load(name)
    for library, extra in writer.requires.items():  # an optional extra (CI installs it; '.[test]' alone may not)
        pytest.importorskip(library, reason=f"needs {extra}")
    report, pack, agencies = example()
    context = Context(lang=writer.default_lang, pack=pack, agencies=agencies)
    first, second = tmp_path / f"1.{writer.extension}", tmp_path / f"2.{writer.extension}"
    emit(writer, "check", report, first, context)
    emit(writer, "check", report, second, context)
    assert first.stat().st_size > 0
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])


def test_commands_offer_the_formats_that_write_their_kind() -> None:
    """check offers every built-in format; history and replay only those that can write them."""
    assert names("check") == ["table", "json", "csv", "html", "xlsx", "ics"]
    assert set(names("history")) == {"table", "json", "html"}
    assert "ics" not in names("replay") and "html" in names("comparison")
    assert set(names("batch")) == {"html", "xlsx", "ics"}


def test_a_format_registered_outside_hanchot_works_through_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module in the test tree, named in HANCHOT_WRITERS, is a --format of check with no edit to hanchot."""
    monkeypatch.setenv("HANCHOT_WRITERS", PLUGINS)
    assert main([*CHECK, "--format", "violations-tsv", "--lang", "vi"]) == 1
    lines = capsys.readouterr().out.splitlines()
    report = example()[0]
    assert len(lines) == len(report.violations)
    assert "UBND phường Bình Tiến\tUBND cấp xã gửi báo cáo trước ngày 22 hàng quý (về UBND cấp huyện; từ 01/07/2025 về thành phố, Sở KH&CN)\t2025-06-21" in lines


def test_an_output_file_appears_whole_or_not_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A writer failing half-way leaves no file behind, not even a temporary one (an internal error: exit 4)."""
    monkeypatch.setenv("HANCHOT_WRITERS", PLUGINS)
    assert main([*CHECK, "--format", "broken", "--output", str(tmp_path / "out.txt")]) == 4
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--format names only registered formats (exit code 2)."""
    with pytest.raises(SystemExit) as exit_:
        main([*CHECK, "--format", "pdf"])
    assert exit_.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


@given(st.text(max_size=60), st.integers(min_value=1, max_value=40))
def test_cut_text_says_so_with_an_ellipsis(text: str, width: int) -> None:
    """Text that fits is kept whole; text that does not is a prefix ending with '…', within the width."""
    shown = cut(text, width)
    assert len(shown) <= width
    if len(text) <= width:
        assert shown == text
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_table_fits_80_columns_and_names_agencies_whole(lang: str) -> None:
    """Every line ≤ 80 characters; each agency with a violation appears with its full id, and its name."""
    report, pack, agencies = example()
    out = io.StringIO()
    write_table(report, pack, out, lang, limit=10_000, agencies=agencies)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for agency in {o.agency for o in report.violations}:
        heading = next(line for line in text.splitlines() if line.endswith(f"({agency})"))
        name = agencies[agency].name
        assert heading == f"{name} ({agency})" or heading.startswith(name[:8]) and "…" in heading
    assert "True" not in text and "False" not in text


def test_the_nine_huong_communes_are_told_apart() -> None:
    """The issue's example: communes whose ids share 16 characters each appear under their own name."""
    report, pack, agencies = example()
    out = io.StringIO()
    write_table(report, pack, out, "vi", limit=10_000, agencies=agencies)
    section = out.getvalue().split("\nVi phạm (")[1].split("\nĐang mở, có hạn (")[0]
    shown = {a for a in agencies if a.startswith("hue-phuong-huon") and f"{agencies[a].name} ({a})\n" in section}
    violating = {o.agency for o in report.violations if o.agency.startswith("hue-phuong-huon")}
    assert shown == violating and len(shown) > 1


def test_vietnamese_status_headings_do_not_run_together() -> None:
    """With --lang vi each status heading of the summary is separated from its neighbours by a space."""
    report, pack, agencies = example()
    out = io.StringIO()
    write_table(report, pack, out, "vi", agencies=agencies)
    header = next(line for line in out.getvalue().splitlines() if line.startswith("Quy định") and "quá hạn" in line)
    for heading in ("quá hạn", "muộn", "đang mở", "đúng hạn", "k.áp dụng"):
        assert re.search(rf"\s{re.escape(heading)}(\s|$)", header), heading


def test_table_violation_count_equals_json(capsys: pytest.CaptureFixture[str]) -> None:
    """The table's violation count is the JSON output's."""
    main([*CHECK, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    count = sum(o["status"] in ("overdue", "met_late") for o in data["obligations"])
    main(CHECK)
    assert f"Violations ({count})" in capsys.readouterr().out


def test_a_missing_optional_library_is_named_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without xlsxwriter, --format xlsx says which extra to install and exits 2, writing nothing."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xlsxwriter" else real(name, *a))
    assert main([*CHECK, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 2
    assert "needs xlsxwriter: pip install 'hanchot[reports]'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_whatif_html_is_in_vietnamese_with_names_and_both_explanations(tmp_path: Path) -> None:
    """whatif --format html: Vietnamese by default, rule titles and agency names, each difference's two explanations."""
    page = tmp_path / "w.html"
    args = ["whatif", "--set", "before_is_inclusive=true", *CHECK[1:], "--format", "html", "--output", str(page)]
    assert main(args) == 0
    text = page.read_text(encoding="utf-8")
    assert '<html lang="vi">' in text and "Phân tích giả định" in text
    assert "UBND cấp xã gửi báo cáo trước ngày 22 hàng quý (về UBND cấp huyện; từ 01/07/2025 về thành phố, Sở KH&amp;CN)" in text
    assert "(before_is_inclusive: false)" in text and "(before_is_inclusive: true)" in text


_ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,59}", fullmatch=True)
_TEXT = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậ ()-,", max_size=120)


@given(
    st.lists(st.tuples(_ID, _TEXT, _ID, _TEXT, _ID, st.sampled_from(["overdue", "met_late", "open"])), max_size=12),
    st.sampled_from(["vi", "en"]),
)
def test_table_lines_fit_and_ids_are_never_cut(rows: list[tuple[str, str, str, str, str, str]], lang: str) -> None:
    """Whatever the lengths of names, titles and ids (up to 60 characters): no line over 80, every id whole."""
    import datetime as dt

    from hanchot.inputs import Agency
    from hanchot.writers.table import write_view
    from hanchot.writers.view import ReportView

    obligations = [
        {"rule": rule, "agency": agency, "period": None, "trigger": trigger, "opens": "2025-01-01",
         "due": "2025-03-01", "status": status, "satisfied_by": [], "basis": "", "explanation": []}
        for agency, _, rule, _, trigger, status in rows
    ]  # fmt: skip
    agencies = {a: Agency(id=a, name=name, level="commune") for a, name, *_ in rows}
    titles = {rule: title for _, _, rule, title, _, _ in rows}
    counts = {"read": 0, "used": 0, "ignored": 0, "duplicates": 0, "conflicts": 0, "rejected": 0}
    view = ReportView("p", "t", dt.date(2025, 6, 1), lang, obligations, agencies, titles, counts)
    out = io.StringIO()
    write_view(view, out, limit=100)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    words_of = {w for line in lines for w in re.split(r"[\s()]+", line)}
    for agency, _, rule, _, trigger, _ in rows:
        assert {agency, trigger} <= words_of
        assert rule in words_of or titles[rule] in out.getvalue()
