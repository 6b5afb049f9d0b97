#!/usr/bin/env python3
"""Generate the example province (Huế, ``hue``): agencies and two years of QMS events.

Deterministic: one seeded :class:`random.Random` (no global random state), stdlib
only, every collection iterated in a fixed order. ``python examples/generate.py``
rewrites ``examples/hue/agencies.csv`` and ``examples/hue/events.jsonl``
byte-identically; ``--seed`` and ``--out`` change the seed and the directory.

The data is synthetic. Agency names follow the Huế administration but the
commune names, document numbers, titles and dates are illustrative, not an
authoritative record. See examples/README.md for what the data contains.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import unicodedata
from collections import Counter
from typing import Any

D = dt.date
PROVINCE = "hue"
MERGER_DAY = D(2025, 7, 1)  # two-level local government; districts cease, two communes merge
LAST_OLD_DAY = D(2025, 6, 30)

# Days off (Labour Code holidays and the government's swaps), enough to keep
# generated work on working days; the engine has its own, complete calendar.
DAYS_OFF = {
    D(2025, 1, 1), *(D(2025, 1, 25) + dt.timedelta(n) for n in range(9)),
    D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2025, 9, 1), D(2025, 9, 2),
    D(2026, 1, 1), D(2026, 1, 2), *(D(2026, 2, 14) + dt.timedelta(n) for n in range(9)),
    D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1), D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2),
}
WORKED_SATURDAYS = {D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)}


def is_workday(day: D) -> bool:
    return day in WORKED_SATURDAYS or (day.weekday() < 5 and day not in DAYS_OFF)


def back(day: D) -> D:
    """The working day on or before *day*."""
    while not is_workday(day):
        day -= dt.timedelta(1)
    return day


def fwd(day: D) -> D:
    """The working day on or after *day*."""
    while not is_workday(day):
        day += dt.timedelta(1)
    return day


def add_months(day: D, months: int) -> D:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(1)).day
    return D(year, month, min(day.day, last))


def slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


# -- agencies ---------------------------------------------------------------------------

DEPARTMENTS = [
    ("noi-vu", "Sở Nội vụ"),
    ("tai-chinh", "Sở Tài chính"),
    ("tu-phap", "Sở Tư pháp"),
    ("xay-dung", "Sở Xây dựng"),
    ("nong-nghiep-moi-truong", "Sở Nông nghiệp và Môi trường"),
    ("cong-thuong", "Sở Công Thương"),
    ("giao-duc-dao-tao", "Sở Giáo dục và Đào tạo"),
    ("y-te", "Sở Y tế"),
    ("van-hoa-the-thao", "Sở Văn hóa và Thể thao"),
    ("du-lich", "Sở Du lịch"),
    ("dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo"),
    ("thanh-tra", "Thanh tra thành phố"),
    ("bql-kcn", "Ban Quản lý các khu kinh tế, công nghiệp"),
]
OFFICE_UNITS = [
    ("hcth", "Phòng Hành chính - Tổ chức"),
    ("tong-hop", "Phòng Tổng hợp"),
    ("kinh-te", "Phòng Kinh tế"),
    ("khoa-giao-van-xa", "Phòng Khoa giáo - Văn xã"),
    ("ttpvhcc", "Trung tâm Phục vụ hành chính công"),
    ("cong-bao-tin-hoc", "Trung tâm Công báo - Tin học"),
]
# District-level bodies until 30/06/2025: (name, ward-or-commune word, commune names).
DISTRICTS = [
    ("Thuận Hóa", "phường", "Phú Hội,Phú Nhuận,Vĩnh Ninh,Phước Vĩnh,Trường An,An Cựu,An Đông,Xuân Phú,Vỹ Dạ,Thủy Biều,Thủy Xuân,Phú Thượng"),
    ("Phú Xuân", "phường", "Tây Lộc,Thuận Lộc,Đông Ba,Phú Hậu,Gia Hội,Kim Long,Hương Long,Hương Sơ,An Hòa,Hương Vinh,Thuận An"),
    ("Hương Thủy", "phường", "Phú Bài,Thủy Dương,Thủy Phương,Thủy Châu,Thủy Lương,Thủy Tân,Thủy Phù,Dương Hòa,Phú Sơn,Thủy Thanh,Thủy Vân"),
    ("Hương Trà", "phường", "Tứ Hạ,Hương Văn,Hương Hồ,Hương Xuân,Hương Chữ,Hương Toàn,Hương Bình,Bình Tiến,Bình Thành,Hương Thọ,Hương An"),
    ("Phong Điền", "xã", "Phong Thu,Phong An,Phong Hiền,Phong Sơn,Phong Xuân,Phong Mỹ,Phong Chương,Phong Bình,Phong Hòa,Điền Hương,Điền Lộc"),
    ("Quảng Điền", "xã", "Sịa,Quảng Thành,Quảng Phú,Quảng Vinh,Quảng An,Quảng Thọ,Quảng Lợi,Quảng Phước,Quảng Công,Quảng Ngạn,Quảng Thái"),
    ("Phú Vang", "xã", "Phú Đa,Phú Mỹ,Phú Thuận,Phú Diên,Vinh Thanh,Vinh An,Phú Gia,Phú Lương,Phú Hồ,Phú Xuân Vang,Phú An"),
    ("Phú Lộc", "xã", "Lăng Cô,Lộc Bổn,Lộc Sơn,Lộc An,Lộc Điền,Vinh Hưng,Vinh Mỹ,Vinh Hiền,Lộc Trì,Lộc Thủy,Lộc Tiến"),
    ("A Lưới", "xã", "A Lưới,Hồng Bắc,Hồng Thượng,Hồng Vân,Hồng Kim,A Ngo,Sơn Thủy,Hương Phong,Trung Sơn,Hương Nguyên,Hồng Thái"),
]
MERGING = ("Phong Thu", "Phong An")  # merge on 01/07/2025 into a new commune
MERGED_NAME = "Phong Thái"


def make_agencies() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(id_: str, name: str, level: str, parent: str = "", active_from: D | None = None,
            active_to: D | None = None, successor: str = "", tags: tuple[str, ...] = ()) -> None:
        out.append({
            "id": id_, "name": name, "level": level, "parent": parent, "province": PROVINCE,
            "active_from": active_from.isoformat() if active_from else "",
            "active_to": active_to.isoformat() if active_to else "",
            "successor": successor, "tags": ";".join(tags),
        })

    add("hue-dost", "Sở Khoa học và Công nghệ thành phố Huế", "department", tags=("dost",))
    add("hue-office", "Văn phòng UBND thành phố Huế", "department", tags=("office",))
    for key, name in OFFICE_UNITS:
        add(f"hue-office-{key}", f"{name} (Văn phòng UBND thành phố)", "unit", parent="hue-office")
    for key, name in DEPARTMENTS:
        add(f"hue-{key}", f"{name} thành phố Huế", "department")
    merged_id = f"hue-xa-{slug(MERGED_NAME)}"
    for dname, word, communes in DISTRICTS:
        dist_id = f"hue-dist-{slug(dname)}"
        kind = "thị xã" if word == "phường" and dname in ("Hương Thủy", "Hương Trà") else (
            "quận" if word == "phường" else "huyện")
        add(dist_id, f"UBND {kind} {dname}", "district", active_to=LAST_OLD_DAY, tags=("two_level_2025",))
        for cname in communes.split(","):
            cid = f"hue-{'phuong' if word == 'phường' else 'xa'}-{slug(cname)}"
            if cname in MERGING:
                add(cid, f"UBND {word} {cname}", "commune", parent=dist_id, active_to=LAST_OLD_DAY,
                    successor=merged_id)
            else:
                add(cid, f"UBND {word} {cname}", "commune", parent=dist_id)
    add(merged_id, f"UBND xã {MERGED_NAME}", "commune", active_from=MERGER_DAY, tags=("merged_2025",))
    ids = [a["id"] for a in out]
    assert len(ids) == len(set(ids)), "agency ids must be unique"
    return out


def active(agency: dict[str, Any], day: D) -> bool:
    f, t = agency["active_from"], agency["active_to"]
    return (not f or D.fromisoformat(f) <= day) and (not t or day <= D.fromisoformat(t))


# -- events ------------------------------------------------------------------------------

# Legal documents taking effect (illustrative numbers), broadcast by scope.
LAWS = [
    (D(2025, 2, 1), "09/2024/TT-BKHCN", "Thông tư sửa đổi quy định về thủ tục hành chính lĩnh vực tiêu chuẩn, đo lường, chất lượng",
     ["department", "district", "commune"]),
    (D(2025, 4, 1), "64/2025/QH15", "Luật Ban hành văn bản quy phạm pháp luật", ["department", "district", "commune"]),
    (D(2025, 4, 15), "61/2025/NĐ-CP", "Nghị định về lưu trữ hồ sơ điện tử trong giải quyết thủ tục hành chính",
     ["department", "unit"]),
    (D(2025, 7, 1), "118/2025/NĐ-CP", "Nghị định về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
     ["department", "commune"]),
    (D(2025, 8, 15), "150/2025/NĐ-CP", "Nghị định quy định tổ chức các cơ quan chuyên môn thuộc UBND cấp tỉnh, cấp xã",
     ["department", "commune"]),
    (D(2025, 10, 1), "21/2025/TT-BNV", "Thông tư hướng dẫn chế độ báo cáo công tác cải cách hành chính", ["commune"]),
    (D(2025, 11, 15), "30/2025/TT-BKHCN", "Thông tư hướng dẫn áp dụng TCVN ISO 9001:2015 tại chính quyền hai cấp",
     ["department", "unit", "commune"]),
    (D(2026, 1, 1), "88/2025/QH15", "Luật Chuyển đổi số (điều khoản về dịch vụ công trực tuyến)", ["department", "commune"]),
    (D(2026, 3, 1), "12/2026/NĐ-CP", "Nghị định về chứng thực điện tử bản sao từ bản chính", ["commune"]),
    (D(2026, 4, 1), "05/2026/TT-BTP", "Thông tư hướng dẫn đăng ký, quản lý hộ tịch trên môi trường điện tử",
     ["commune", "unit"]),
    (D(2026, 6, 15), "101/2026/NĐ-CP", "Nghị định về kiểm soát thủ tục hành chính", ["department", "commune"]),
    (D(2026, 9, 1), "15/2026/TT-BKHCN", "Thông tư quy định về mô hình khung HTQLCL cho cơ quan hành chính cấp xã",
     ["commune"]),
    (D(2026, 11, 1), "140/2026/NĐ-CP", "Nghị định về phân cấp, phân quyền trong quản lý nhà nước", ["department", "unit"]),
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.agencies = make_agencies()
        self.by_id = {a["id"]: a for a in self.agencies}
        self.events: list[dict[str, Any]] = []
        self.dost = "hue-dost"
        self.department_ids = [f"hue-{key}" for key, _ in DEPARTMENTS]

    # helpers ------------------------------------------------------------------------
    def ev(self, type_: str, agency: str | None, day: D, **attrs: Any) -> dict[str, Any]:
        e: dict[str, Any] = {"type": type_, "_date": day}
        if agency is not None:
            e["agency"] = agency
        e.update(attrs)
        self.events.append(e)
        return e

    def fate(self, ok: float = 0.90, late: float = 0.07) -> str:
        r = self.rng.random()
        return "ok" if r < ok else "late" if r < ok + late else "miss"

    def between(self, first: D, last: D) -> D:
        return first + dt.timedelta(self.rng.randint(0, (last - first).days))

    def alive(self, level: str | tuple[str, ...], day: D) -> list[dict[str, Any]]:
        levels = (level,) if isinstance(level, str) else level
        return [a for a in self.agencies if a["level"] in levels and active(a, day)]

    def owner(self, agency_id: str, day: D) -> str | None:
        """Who acts for *agency_id* on *day*: itself, its successor, or nobody."""
        a = self.by_id[agency_id]
        if active(a, day):
            return agency_id
        if a["successor"] and active(self.by_id[a["successor"]], day):
            return a["successor"]
        return None

    # generators ---------------------------------------------------------------------
    def yearly_documents(self, year: int) -> None:
        kinds = ["qms_plan", "quality_objectives", "objectives_plan", "risk_plan"]
        if year == 2025:  # Huế: before 10/01/2025 (risk plan: national, by 31/12)
            ok_first, ok_last = D(2025, 1, 2), D(2025, 1, 9)
            # Late from the 13th: the only on-the-day submissions planted are the
            # quarterly reports, which the before_is_inclusive what-if is about.
            late_first, late_last = D(2025, 1, 13), D(2025, 2, 28)
        else:  # Lào Cai style: before 30/04/2026
            ok_first, ok_last = D(2026, 4, 1), D(2026, 4, 29)
            late_first, late_last = D(2026, 4, 30), D(2026, 6, 15)
            kinds += ["quality_policy", "steering_committee"]
        for a in self.alive(("department", "unit", "district", "commune"), ok_first):
            for kind in kinds:
                fate = self.fate(0.92, 0.06)
                if kind == "risk_plan" and year == 2025:
                    day = back(self.between(D(2025, 1, 6), D(2025, 3, 31))) if fate != "miss" else None
                elif fate == "ok":
                    day = back(self.between(ok_first, ok_last))
                elif fate == "late":
                    day = fwd(self.between(late_first, late_last))
                else:
                    day = None
                if day is not None:
                    who = self.owner(a["id"], day)
                    if who is not None:
                        self.ev("document.issued", who, day, kind=kind, year=year)
        if year == 2026:  # Lào Cai style: the DOST's guidance before 25/04/2026
            self.ev("document.issued", self.dost, D(2026, 4, 10), kind="guidance", year=2026,
                    title="Hướng dẫn áp dụng, duy trì và cải tiến HTQLCL năm 2026")

    def merged_commune_documents(self) -> None:
        new = f"hue-xa-{slug(MERGED_NAME)}"
        for kind, day in (("quality_policy", D(2025, 7, 15)), ("qms_plan", D(2025, 7, 15)),
                          ("quality_objectives", D(2025, 7, 22)), ("objectives_plan", D(2025, 8, 5))):
            self.ev("document.issued", new, day, kind=kind, year=2025, note="sau khi hợp nhất")
        self.ev("qms.announced", new, D(2025, 9, 18), reannouncement=False)
        for old in MERGING:
            self.ev("agency.merged", f"hue-xa-{slug(old)}", LAST_OLD_DAY, into=new,
                    decision="NQ 1675/NQ-UBTVQH15 (illustrative)")

    def quarterly_reports(self, year: int) -> None:
        for q in range(1, 5):
            month = 3 * q
            for a in self.alive(("department", "district", "commune"), D(year, month, 1)):
                day_x = 22 if a["level"] == "commune" else 25
                deadline = D(year, month, day_x)
                if a["level"] == "commune":
                    to = a["parent"] if a["parent"] and active(self.by_id[a["parent"]], deadline) else self.dost
                else:
                    to = "hue-office" if a["id"] == self.dost else self.dost
                fate = self.fate(0.91, 0.07)
                if fate == "ok":
                    r = self.rng.random()
                    if r < 0.03:
                        day = deadline  # sent ON the day: late under 'trước ngày X' read strictly
                    else:
                        day = back(self.between(D(year, month, 12), deadline - dt.timedelta(1)))
                elif fate == "late":
                    day = fwd(self.between(deadline + dt.timedelta(1), deadline + dt.timedelta(25)))
                else:
                    continue
                if not active(a, day):  # a district that ceased before it reported late
                    continue
                self.ev("report.submitted", a["id"], day, report="quarterly", period=f"{year}-Q{q}", to=to)

    def dost_reports(self, year: int) -> None:
        if year == 2025:
            self.ev("report.submitted", self.dost, D(2025, 6, 27), report="half_yearly", period="2025-H1", to="hue-office")
            self.ev("report.submitted", self.dost, D(2025, 12, 26), report="half_yearly", period="2025-H2", to="hue-office")
            self.ev("report.submitted", self.dost, D(2025, 12, 10), report="annual", period="2025", to="MOST")
            self.ev("document.issued", self.dost, D(2025, 2, 14), kind="inspection_plan", year=2025)
        else:
            self.ev("report.submitted", self.dost, D(2026, 6, 26), report="half_yearly", period="2026-H1", to="hue-office")
            self.ev("report.submitted", self.dost, D(2026, 12, 9), report="annual", period="2026", to="MOST")
            self.ev("document.issued", self.dost, D(2026, 3, 6), kind="inspection_plan", year=2026)
            # Lào Cai style: every department and commune reports in Q4/2026
            for a in self.alive(("department", "unit", "commune"), D(2026, 10, 1)):
                if a["id"] == self.dost:
                    continue
                fate = self.fate(0.93, 0.05)
                if fate == "ok":
                    day = back(self.between(D(2026, 10, 15), D(2026, 12, 18)))
                elif fate == "late":
                    day = fwd(self.between(D(2027, 1, 4), D(2027, 1, 20)))
                else:
                    continue
                to = a["parent"] if a["level"] == "unit" else self.dost
                self.ev("report.submitted", a["id"], day, report="annual", period="2026", to=to)
        for _ in range(3):  # ad-hoc reports on request (not checked)
            a = self.rng.choice(self.alive(("department", "commune"), D(year, 5, 1)))
            self.ev("report.submitted", a["id"], back(self.between(D(year, 5, 1), D(year, 11, 30))),
                    report="adhoc", period=str(year), to=self.dost)

    def audits_and_reviews(self, year: int) -> None:
        if year == 2025:
            audit_window, review_window = (D(2025, 8, 15), D(2025, 11, 28)), (D(2025, 10, 1), D(2025, 12, 19))
            late_window = (D(2026, 1, 5), D(2026, 2, 27))
            day0 = D(2025, 12, 1)
        else:  # Lào Cai style: before 30/08/2026
            audit_window, review_window = (D(2026, 6, 1), D(2026, 7, 31)), (D(2026, 7, 20), D(2026, 8, 28))
            late_window = (D(2026, 9, 1), D(2026, 10, 30))
            day0 = D(2026, 6, 1)
        # districts and the communes about to merge: an audit in the first half for some
        if year == 2025:
            for a in self.agencies:
                if a["active_to"] == LAST_OLD_DAY.isoformat() and self.rng.random() < 0.5:
                    self.ev("internal_audit.completed", a["id"], back(self.between(D(2025, 4, 1), D(2025, 6, 20))),
                            nonconformities=0, extent="toàn bộ HTQLCL")
        for a in self.alive(("department", "unit", "commune"), day0):
            fate = self.fate(0.90, 0.07)
            if fate == "miss":
                continue
            window = audit_window if fate == "ok" else late_window
            day = back(self.between(*window))
            ncs = self.rng.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 5])
            audit = self.ev("internal_audit.completed", a["id"], day, nonconformities=ncs)
            if ncs:
                cfate = self.fate(0.93, 0.0)
                if cfate == "ok":
                    if year == 2026 and fate == "ok":
                        cday = back(self.between(day + dt.timedelta(7), min(day + dt.timedelta(45), D(2026, 8, 28))))
                    else:
                        cday = fwd(day + dt.timedelta(self.rng.randint(10, 50)))
                    self.ev("corrective_action.completed", a["id"], cday, _ref=audit,
                            nonconformities_closed=ncs)
            rfate = self.fate(0.91, 0.06)
            if rfate == "ok":
                rday = back(self.between(*review_window))
            elif rfate == "late":
                rday = fwd(self.between(*late_window))
            else:
                continue
            self.ev("management_review.held", a["id"], rday)

    def legal_updates(self, year: int) -> None:
        n_process = 0
        for eff, number, title, levels in LAWS:
            if eff.year != year:
                continue
            self.ev("legal_document.effective", None, eff, _scope={"level": levels, "province": PROVINCE},
                    document=number, title=title)
            due = add_months(eff, 3)
            for a in self.alive(tuple(levels), eff):
                fate = self.fate(0.90, 0.07)
                if fate == "ok":
                    day = back(self.between(eff + dt.timedelta(7), eff + dt.timedelta(80)))
                    day = max(day, eff)
                elif fate == "late":
                    day = fwd(self.between(due + dt.timedelta(10), due + dt.timedelta(40)))
                else:
                    continue
                who = self.owner(a["id"], day)
                if who is None:
                    continue
                n_process += 1
                process = f"QT-{self.rng.randint(1, 15):02d}"
                e_flag = self.rng.random() < 0.85
                self.ev("process.updated", who, day, process=process, documents=[number], e_workflow_updated=e_flag)
                if not e_flag:
                    r = self.rng.random()
                    if r < 0.85:
                        self.ev("e_workflow.updated", who, day, process=process)
                    elif r < 0.95:
                        self.ev("e_workflow.updated", who, fwd(day + dt.timedelta(self.rng.randint(2, 10))),
                                process=process)

    def routine_process_updates(self, year: int) -> None:
        """Process revisions not tied to a new law (and, in 2026, the Lào Cai review before 30/06)."""
        for a in self.alive(("department", "unit", "commune"), D(year, 1, 15)):
            for _ in range(self.rng.randint(1, 3)):
                day = back(self.between(D(year, 1, 15), D(year, 11, 30)))
                self.ev("process.updated", a["id"], day, process=f"QT-{self.rng.randint(1, 15):02d}",
                        documents=[], e_workflow_updated=True, reason="cải tiến")
            if year == 2026:
                fate = self.fate(0.92, 0.05)
                if fate == "miss":
                    continue
                window = (D(2026, 3, 2), D(2026, 6, 29)) if fate == "ok" else (D(2026, 7, 1), D(2026, 8, 14))
                self.ev("process.updated", a["id"], back(self.between(*window)),
                        process=f"QT-{self.rng.randint(1, 15):02d}", documents=[], e_workflow_updated=True,
                        reason="rà soát văn bản QPPL năm 2026")

    def scope_and_committee(self, year: int) -> None:
        for a in self.alive(("department", "unit", "commune"), D(year, 2, 1)):
            if self.rng.random() < 0.10:
                day = back(self.between(D(year, 2, 1), D(year, 8, 31)))
                self.ev("qms.scope_changed", a["id"], day, change=self.rng.choice(
                    ["expanded", "narrowed", "adjusted"]))
                if self.rng.random() < 0.92:
                    self.ev("qms.announced", a["id"], fwd(day + dt.timedelta(self.rng.randint(10, 45))),
                            reannouncement=True)
            if self.rng.random() < 0.15:
                day = back(self.between(D(year, 1, 10), D(year, 10, 31)))
                self.ev("steering_committee.membership_changed", a["id"], day)
                if self.rng.random() < 0.92:
                    self.ev("document.issued", a["id"], fwd(day + dt.timedelta(self.rng.randint(5, 30))),
                            kind="steering_committee", year=year)
        if year == 2026:  # Lào Cai style: every department and commune (re-)announces before 30/09
            for a in self.alive(("department", "commune"), D(2026, 7, 1)):
                fate = self.fate(0.91, 0.06)
                if fate == "ok":
                    day = back(self.between(D(2026, 8, 3), D(2026, 9, 29)))
                elif fate == "late":
                    day = fwd(self.between(D(2026, 9, 30), D(2026, 11, 13)))
                else:
                    continue
                self.ev("qms.announced", a["id"], day, reannouncement=True)

    def inspections(self, year: int) -> None:
        day0 = D(year, 1, 1)
        depts = [a for a in self.alive(("department", "district"), day0) if a["id"] != self.dost]
        communes = [a for a in self.agencies if a["level"] == "commune"
                    and (active(a, day0) or active(a, D(year, 12, 31)))]
        pick_d = self.rng.sample(depts, k=round(len(depts) * 0.36))
        pick_c = self.rng.sample(communes, k=round(len(communes) * (0.12 if year == 2025 else 0.33)))
        on_site = [a["id"] for a in pick_d + pick_c]
        for a in depts + communes:
            mode = "on_site" if a["id"] in on_site else "dossier"
            first = max(D(year, 4, 1), D.fromisoformat(a["active_from"]) if a["active_from"] else day0)
            last = D.fromisoformat(a["active_to"]) - dt.timedelta(10) if a["active_to"] else D(year, 11, 27)
            if a["active_to"]:
                first = D(year, 3, 2)
            self.ev("inspection.completed", self.dost, back(self.between(first, last)), target=a["id"], mode=mode)

    # anomalies ------------------------------------------------------------------------
    def late_recording(self) -> None:
        """A few events keyed in late (recorded_at after the date)."""
        candidates = [e for e in self.events if e["type"] in ("report.submitted", "internal_audit.completed",
                                                                 "document.issued") and "agency" in e]
        for e in self.rng.sample(candidates, 12):
            e["_recorded"] = e["_date"] + dt.timedelta(self.rng.randint(3, 40))

    def utc_timestamps(self) -> None:
        """Some events carry a UTC `at` instead of a date; a few cross into the next local day."""
        reports = [e for e in self.events if e["type"] == "report.submitted" and e.get("report") == "quarterly"]
        for e in self.rng.sample(reports, 40):
            local = dt.datetime.combine(e["_date"], dt.time(self.rng.randint(7, 16), self.rng.choice([0, 15, 30, 45])))
            e["_at"] = (local - dt.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # the evening before in UTC is already the 22nd/25th in Huế: sent ON the day
        on_day = [e for e in reports if "_at" not in e and e["_date"].day in (18, 19, 20, 21)
                  and e["period"].startswith("2025") and e["agency"].startswith("hue-xa")]
        for e in self.rng.sample(on_day, 4):
            local_day = D(e["_date"].year, e["_date"].month, 22)
            e["_date"] = local_day
            e["_at"] = f"{(local_day - dt.timedelta(1)).isoformat()}T{self.rng.randint(17, 22)}:{self.rng.randint(10, 59)}:00Z"
            e["_note"] = "utc-next-day"

    def retractions(self) -> None:
        # 1. a quarterly report filed for the wrong period, withdrawn a day later
        r = next(e for e in self.events if e["type"] == "report.submitted" and e.get("period") == "2025-Q2"
                 and e["agency"].startswith("hue-phuong"))
        wrong = self.ev("report.submitted", r["agency"], r["_date"], report="quarterly", period="2025-Q3", to=r["to"])
        self.ev("event.retracted", r["agency"], fwd(r["_date"] + dt.timedelta(1)), _retracts=wrong,
                reason="nhập sai kỳ báo cáo")
        # 2. an internal audit keyed against the wrong agency, withdrawn
        audit = next(e for e in self.events if e["type"] == "internal_audit.completed"
                     and e["_date"].year == 2025 and e["agency"].startswith("hue-xa") and e["nonconformities"] == 0)
        wrong_audit = self.ev("internal_audit.completed", "hue-tu-phap", audit["_date"], nonconformities=0)
        self.ev("event.retracted", "hue-tu-phap", fwd(audit["_date"] + dt.timedelta(3)), _retracts=wrong_audit,
                reason="nhập nhầm cơ quan")
        # 3. a department's Q3 report withdrawn as incomplete and sent again, late
        r3 = next(e for e in self.events if e["type"] == "report.submitted" and e.get("period") == "2025-Q3"
                  and e["agency"] in self.department_ids and e["_date"] < D(2025, 9, 24))
        self.ev("event.retracted", r3["agency"], fwd(r3["_date"] + dt.timedelta(2)), _retracts=r3,
                reason="báo cáo thiếu số liệu")
        self.ev("report.submitted", r3["agency"], D(2025, 10, 3), report="quarterly", period="2025-Q3",
                to=r3["to"], note="gửi lại")

    # output ---------------------------------------------------------------------------
    def finish(self) -> list[str]:
        self.events.sort(key=lambda e: (e["_date"], e["type"], e.get("agency", ""),
                                        json.dumps({k: v for k, v in e.items() if not k.startswith("_")},
                                                   ensure_ascii=False, sort_keys=True)))
        for n, e in enumerate(self.events, 1):
            e["_id"] = f"hue-{e['_date'].year}-{n:05d}"
        lines: list[str] = []
        for e in self.events:
            out: dict[str, Any] = {"id": e["_id"], "type": e["type"]}
            if "agency" in e:
                out["agency"] = e["agency"]
            else:
                out["scope"] = e["_scope"]
            if "_at" in e:
                out["at"] = e["_at"]
            else:
                out["date"] = e["_date"].isoformat()
            if "_recorded" in e:
                out["recorded_at"] = e["_recorded"].isoformat()
            if "_retracts" in e:
                out["retracts"] = e["_retracts"]["_id"]
            if "_ref" in e:
                out["audit"] = e["_ref"]["_id"]
            for k, v in e.items():
                if not k.startswith("_") and k not in ("type", "agency"):
                    out[k] = v
            lines.append(json.dumps(out, ensure_ascii=False))
        # duplicates: the source system re-sent three lines (same id, same content)
        for i in sorted(self.rng.sample(range(len(lines)), 3), reverse=True):
            lines.insert(i + self.rng.randint(5, 200), lines[i])
        # malformed lines, as a real export has them
        bad = [
            '{"id": "hue-2025-bad01", "type": "report.submitted", "agency": "hue-xa-phong-hien", "date": "2025-06-18", '
            '"report": "quarterly", "period": "2025-Q2"',  # truncated: not JSON
            '{"id": "hue-2025-bad02", "type": "process.updated" "agency": "hue-noi-vu", "date": "2025-05-12"}',  # missing comma
            '{"type": "management_review.held", "agency": "hue-du-lich", "date": "2025-11-20"}',  # no id
            '{"id": "hue-2025-bad04", "type": "internal_audit.completed", "agency": "hue-phuong-kim-long", '
            '"date": "2025-02-30", "nonconformities": 1}',  # no such day
            '{"id": "hue-2026-bad05", "type": "document.issued", "agency": "hue-xa-lang-co", '
            '"date": "15/04/2026", "kind": "qms_plan", "year": 2026}',  # not YYYY-MM-DD
        ]
        for text in bad:
            lines.insert(self.rng.randint(100, len(lines) - 100), text)
        return lines


def generate(seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    g = Gen(seed)
    for year in (2025, 2026):
        g.yearly_documents(year)
        g.quarterly_reports(year)
        g.dost_reports(year)
        g.audits_and_reviews(year)
        g.legal_updates(year)
        g.routine_process_updates(year)
        g.scope_and_committee(year)
        g.inspections(year)
    g.merged_commune_documents()
    g.late_recording()
    g.utc_timestamps()
    g.retractions()
    return g.agencies, g.finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument("--out", default=os.path.join(here, "hue"), help="output directory (default examples/hue)")
    args = parser.parse_args(argv)
    agencies, lines = generate(args.seed)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "agencies.csv"), "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(agencies[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(agencies)
    with open(os.path.join(args.out, "events.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    levels = Counter(a["level"] for a in agencies)
    print(f"{len(agencies)} agencies ({', '.join(f'{k} {v}' for k, v in sorted(levels.items()))}), "
          f"{len(lines)} event lines -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
