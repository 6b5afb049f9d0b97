"""The words of the reports people read, in Vietnamese and English, and how dates look.

One vocabulary for every format (table, HTML, workbook, calendar), so a status
or a heading reads the same wherever an officer meets it.
"""

from __future__ import annotations

import datetime as dt

STATUSES = ("overdue", "met_late", "open", "met", "not_applicable")
"""Statuses in the order reports show them: what needs action first."""

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "overdue": "quá hạn",
        "met_late": "thực hiện muộn",
        "open": "đang mở",
        "met": "đúng hạn",
        "not_applicable": "không áp dụng",
        "yes": "có",
        "no": "không",
        "report_title": "Báo cáo thực hiện HTQLCL",
        "as_of": "Tính đến ngày",
        "known_at": "Dữ liệu ghi nhận đến",
        "pack": "Bộ quy định",
        "agency": "Cơ quan",
        "agencies": "Cơ quan",
        "level": "Cấp",
        "rule": "Quy định",
        "rule_id": "Mã quy định",
        "agency_id": "Mã cơ quan",
        "period": "Kỳ/sự kiện",
        "opens": "Ngày phát sinh",
        "due": "Hạn",
        "days_late": "Số ngày trễ",
        "days_left": "Còn (ngày)",
        "status": "Trạng thái",
        "basis": "Căn cứ",
        "explanation": "Giải thích",
        "satisfied_by": "Sự kiện đáp ứng",
        "summary": "Tổng hợp",
        "violations": "Vi phạm",
        "upcoming": "Sắp đến hạn",
        "obligations": "Nghĩa vụ",
        "rejected": "Bị loại",
        "input": "Dữ liệu đầu vào",
        "read": "Dòng đã đọc",
        "used": "Đã dùng",
        "ignored": "Bỏ qua",
        "duplicates": "Trùng lặp",
        "rejected_lines": "Dòng bị loại",
        "file": "Tệp",
        "line": "Dòng",
        "field": "Trường",
        "reason": "Lý do",
        "raw": "Nội dung",
        "total": "Tổng",
        "all": "tất cả",
        "print": "In phần này",
        "in_days": "còn {n} ngày",
        "on_time_share": "Tỷ lệ nghĩa vụ đúng hạn",
        "by_level": "Vi phạm theo cấp",
        "by_rule": "Vi phạm theo quy định",
        "by_month": "Vi phạm theo tháng đến hạn",
        "count": "Số lượng",
        "value": "Giá trị",
        "province": "Cấp tỉnh",
        "department": "Sở, ngành",
        "district": "Cấp huyện",
        "commune": "Cấp xã",
        "unit": "Đơn vị trực thuộc",
        "none": "(không có)",
        "more": "… và {n} dòng khác (dùng --format html, xlsx, json hoặc csv để xem đủ)",
        "next_days": "Trong {n} ngày tới",
        "ignored_because": "Lý do bỏ qua",
        "no_matching_rule": "không khớp quy định nào",
        "after_as_of": "sau ngày tính",
        "not_yet_recorded": "chưa được ghi nhận",
        "retracted": "đã bị thu hồi",
        "retraction_of_unknown_event": "thu hồi sự kiện không có",
        "no_applicable_agency": "không có cơ quan áp dụng",
        "history": "Lịch sử các lần chạy",
        "run": "Lần chạy",
        "new": "Mới",
        "resolved": "Đã khắc phục",
        "still_open": "Vẫn còn",
        "reminder": "Nhắc hạn: {title}",
        "whatif": "Phân tích giả định",
        "baseline": "Phương án gốc",
        "variant": "Phương án thay đổi",
        "appears": "vi phạm mới",
        "disappears": "vi phạm không còn",
        "due_moved": "hạn thay đổi",
        "status_changed": "đổi trạng thái",
        "only_base": "chỉ có ở phương án gốc",
        "only_other": "chỉ có ở phương án thay đổi",
        "differences": "Các khác biệt",
        "change": "Thay đổi",
        "shift": "Lệch (ngày)",
    },
    "en": {
        "overdue": "overdue",
        "met_late": "met late",
        "open": "open",
        "met": "met",
        "not_applicable": "not applicable",
        "yes": "yes",
        "no": "no",
        "report_title": "QMS compliance report",
        "as_of": "As of",
        "known_at": "Data recorded by",
        "pack": "Rule pack",
        "agency": "Agency",
        "agencies": "Agencies",
        "level": "Level",
        "rule": "Rule",
        "rule_id": "Rule id",
        "agency_id": "Agency id",
        "period": "Period/event",
        "opens": "Opens",
        "due": "Due",
        "days_late": "Days late",
        "days_left": "Days left",
        "status": "Status",
        "basis": "Basis",
        "explanation": "Explanation",
        "satisfied_by": "Met by",
        "summary": "Summary",
        "violations": "Violations",
        "upcoming": "Upcoming",
        "obligations": "Obligations",
        "rejected": "Rejected",
        "input": "Input",
        "read": "Lines read",
        "used": "Used",
        "ignored": "Ignored",
        "duplicates": "Duplicates",
        "rejected_lines": "Rejected lines",
        "file": "File",
        "line": "Line",
        "field": "Field",
        "reason": "Reason",
        "raw": "Content",
        "total": "Total",
        "all": "all",
        "print": "Print this section",
        "in_days": "in {n} days",
        "on_time_share": "Duties met on time",
        "by_level": "Violations by agency level",
        "by_rule": "Violations by rule",
        "by_month": "Violations by month due",
        "count": "Count",
        "value": "Value",
        "province": "Province",
        "department": "Departments",
        "district": "Districts",
        "commune": "Communes",
        "unit": "Units",
        "none": "(none)",
        "more": "… and {n} more (use --format html, xlsx, json or csv for all)",
        "next_days": "In the next {n} days",
        "ignored_because": "Ignored because",
        "no_matching_rule": "no matching rule",
        "after_as_of": "after the as-of date",
        "not_yet_recorded": "not yet recorded",
        "retracted": "retracted",
        "retraction_of_unknown_event": "retraction of an unknown event",
        "no_applicable_agency": "no applicable agency",
        "history": "Run history",
        "run": "Run",
        "new": "New",
        "resolved": "Resolved",
        "still_open": "Still open",
        "reminder": "Deadline: {title}",
        "whatif": "What-if",
        "baseline": "Baseline",
        "variant": "Variant",
        "appears": "violations appear",
        "disappears": "violations disappear",
        "due_moved": "due dates move",
        "status_changed": "status changes",
        "only_base": "under the baseline only",
        "only_other": "under the variant only",
        "differences": "Differences",
        "change": "Change",
        "shift": "Shift (days)",
    },
}


def words(lang: str) -> dict[str, str]:
    """The vocabulary in *lang* (``vi`` or ``en``)."""
    return _WORDS["vi" if lang == "vi" else "en"]


def day_month_year(day: dt.date | None, empty: str = "") -> str:
    """A date as Vietnamese readers write it: 05/05/2025."""
    return day.strftime("%d/%m/%Y") if day else empty


def yes_no(value: bool, lang: str) -> str:
    """``có``/``không`` or ``yes``/``no`` — never Python's True/False."""
    return words(lang)["yes" if value else "no"]


WIDTH = 80
"""The terminal's width the table is laid out for."""


def cut(text: str, width: int) -> str:
    """*text* in at most *width* characters, ending with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def fitting(title: str, ident: str, width: int) -> str:
    """The title when it fits in *width*, else the (never cut) identifier."""
    return title if len(title) <= width else ident
