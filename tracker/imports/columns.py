"""The columns each kind of import reads: the API's field names and the template's Vietnamese headers."""
from __future__ import annotations

from dataclasses import dataclass

from .values import fold


@dataclass(frozen=True)
class Column:
    """One column: its API field name, the template's Vietnamese header, an example value."""

    field: str
    header_vi: str
    example: object
    required: bool = False  # needed to create a record


UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", "K1", True),
    Column("name", "Tên đơn vị", "Đảng bộ xã Hiệp Mỹ Đông", True),
    Column("kind", "Loại hình", "Đảng bộ xã, thị trấn", True),
    Column("party_members", "Số đảng viên", 312),
    Column("pilot", "Đại hội điểm", "x"),
    Column("group", "Tổ công tác", "G1"),
    Column("congress_date", "Ngày đại hội", "15/06/2030"),
    Column("parent", "Trực thuộc (mã đơn vị)", ""),
)
USER_COLUMNS = (
    Column("email", "Email", "bithu.k1@example.vn"),
    Column("name", "Họ và tên", "Nguyễn Văn An", True),
    Column("role", "Vai trò", "Bí thư đơn vị", True),
    Column("unit", "Đơn vị (mã)", "K1"),
    Column("groups", "Tổ công tác (mã)", ""),
    Column("phone", "Số điện thoại", "0912 345 678"),
)
GROUP_COLUMNS = (
    Column("code", "Mã tổ", "G1", True),
    Column("name", "Tên tổ công tác", "Tổ công tác số 1", True),
)
COLUMNS = {"units": UNIT_COLUMNS, "users": USER_COLUMNS, "groups": GROUP_COLUMNS}
KINDS_OF_IMPORT = tuple(COLUMNS)
# columns offices keep beside the data (a running number, notes): read past, never an error
IGNORED = {"stt", "tt", "số tt", "số thứ tự", "ghi chú", "notes", "note", "#"}


def header_names(kind: str) -> dict[str, str]:
    """Every accepted header, folded, mapped to its field name."""
    names: dict[str, str] = {}
    for col in COLUMNS[kind]:
        names[fold(col.field)] = col.field
        names[fold(col.header_vi)] = col.field
    # the Vietnamese headers without their hint in brackets, as people retype them
    for col in COLUMNS[kind]:
        short = fold(col.header_vi.split("(")[0])
        names.setdefault(short, col.field)
    return names
