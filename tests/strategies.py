"""Shared hypothesis strategies for hanchot's tests (dates, durations, periods).

Other test modules may append strategies here; keep each one documented.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from hanchot.calendar import Duration, DurationUnit, Period, PeriodKind

# The span the engine is asked about: plans of 2000-2100 (holidays VN covers 1901-2100).
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


def dates(min_value: date = MIN_DATE, max_value: date = MAX_DATE) -> st.SearchStrategy[date]:
    """Days between *min_value* and *max_value* inclusive."""
    return st.dates(min_value=min_value, max_value=max_value)


def durations(max_years: int = 10) -> st.SearchStrategy[Duration]:
    """Durations of every unit, none longer than about *max_years* years."""
    return st.one_of(
        st.integers(0, 366 * max_years).map(lambda n: Duration(n, DurationUnit.DAYS)),
        st.integers(0, 261 * max_years).map(lambda n: Duration(n, DurationUnit.WORKING_DAYS)),
        st.integers(0, 53 * max_years).map(lambda n: Duration(n, DurationUnit.WEEKS)),
        st.integers(0, 12 * max_years).map(lambda n: Duration(n, DurationUnit.MONTHS)),
        st.integers(0, max_years).map(lambda n: Duration(n, DurationUnit.YEARS)),
    )


def month_durations(max_years: int = 10) -> st.SearchStrategy[Duration]:
    """Durations in months or years (the ones Civil Code Art. 148(3)/(4) clamp)."""
    return st.one_of(
        st.integers(0, 12 * max_years).map(lambda n: Duration(n, DurationUnit.MONTHS)),
        st.integers(0, max_years).map(lambda n: Duration(n, DurationUnit.YEARS)),
    )


def working_day_counts(limit: int = 600) -> st.SearchStrategy[int]:
    """Numbers of working days to add, from -limit to limit."""
    return st.integers(-limit, limit)


def periods(min_year: int = 2000, max_year: int = 2100) -> st.SearchStrategy[Period]:
    """Years, halves, quarters and months between *min_year* and *max_year*."""
    counts = {PeriodKind.YEAR: 1, PeriodKind.HALF: 2, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}
    return st.sampled_from(list(PeriodKind)).flatmap(
        lambda kind: st.builds(
            Period,
            st.just(kind),
            st.integers(min_year, max_year),
            st.integers(1, counts[kind]),
        )
    )
