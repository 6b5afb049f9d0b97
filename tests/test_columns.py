"""The one terminal table formatter: rows line up under their headings, within the width."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hanchot.writers.columns import Column, Table

TABLE = Table([Column("Agency", 14, clip=13), Column("Rule", 20, ellipsis=19, before=" "), Column("new", 6, ">")])


@given(st.text(min_size=0, max_size=40), st.text(min_size=0, max_size=40), st.integers(0, 99_999))
def test_every_row_is_as_wide_as_the_rule_under_the_heading(agency: str, rule: str, new: int) -> None:
    """Whatever the values, clipped columns stay in their width, so a row is as long as the dashes."""
    agency, rule = agency.replace("\n", " "), rule.replace("\n", " ")
    row = TABLE.row(agency, rule, new)
    heading, dashes = TABLE.head().splitlines()
    assert len(row) - 1 == len(heading) == len(dashes) == TABLE.width == 41
    assert row[:14] == f"{agency[:13]:<14}"
    assert row.endswith(f"{new:>6}\n")


def test_a_long_value_ends_with_an_ellipsis_and_a_short_one_is_kept() -> None:
    """'ellipsis' cuts a long name to its width ending with '…' (as history's rule column); 'clip' cuts plainly."""
    assert TABLE.row("hue-so-khoa-hoc-cong-nghe", "hue-quarterly-report-department", 3) == (
        "hue-so-khoa-h " + " hue-quarterly-repo… " + "     3\n"
    )
    assert TABLE.row("hue", "legal-update", 0) == "hue           " + " legal-update        " + "     0\n"
