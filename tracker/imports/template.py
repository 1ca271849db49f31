"""The template an office fills: Vietnamese headers, one filled example row, and a sheet listing the
allowed kinds and roles."""
from __future__ import annotations

import io
from datetime import date

from flask_babel import force_locale

from ..labels import kind_label, role_label
from ..workflow import KINDS
from ..workflow.stages import ROLES
from .columns import COLUMNS


def template_xlsx(kind: str) -> bytes:
    """The .xlsx template for units, users or groups."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = {"units": "Đơn vị", "users": "Người dùng", "groups": "Tổ công tác"}[kind]
    columns = COLUMNS[kind]
    ws.append([c.header_vi for c in columns])
    example = []
    for c in columns:
        value = c.example
        if c.field == "congress_date":
            value = date(2030, 6, 15)  # a real date cell, as Excel users type it
        example.append(value)
    ws.append(example)
    for i, c in enumerate(columns, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(14, len(c.header_vi) + 4)
        if c.field == "congress_date":
            ws.cell(row=2, column=i).number_format = "dd/mm/yyyy"
    lists = book.create_sheet("Danh mục")
    with force_locale("vi"):
        lists.append(["Loại hình (cột “Loại hình”)", "Mã"])
        for k in KINDS:
            lists.append([kind_label(k), k])
        lists.append([])
        lists.append(["Vai trò (cột “Vai trò”)", "Mã"])
        for r in ROLES:
            lists.append([role_label(r), r])
        lists.append([])
        lists.append(["Cách ghi", ""])
        for line in (
            "Dòng đầu là tên cột: tên cột của mẫu này hoặc tên trường của API (code, name, kind …).",
            "Ngày: ô ngày của Excel, dd/mm/yyyy hoặc yyyy-mm-dd.",
            "Có/không: x hoặc để trống; 1/0; có/không.",
            "Loại hình, vai trò: ghi tên như trên hoặc mã.",
            "Mã đã có thì cập nhật; một dòng sai thì không nhập dòng nào và báo từng lỗi.",
            "Người dùng: khóa là email; không có email thì là số điện thoại.",
        ):
            lists.append([line])
    lists.column_dimensions["A"].width = 48
    lists.column_dimensions["B"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_name(kind: str) -> str:
    """The template's file name."""
    return {"units": "mau-nhap-don-vi.xlsx", "users": "mau-nhap-nguoi-dung.xlsx",
            "groups": "mau-nhap-to-cong-tac.xlsx"}[kind]
