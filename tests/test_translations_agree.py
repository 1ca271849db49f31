"""The per-feature catalogs agree: a msgid (in one msgctxt) has one Vietnamese translation in all of them.

The app merges every catalog under tracker/i18n, the one that sorts last winning, so two translations of
one string would silently depend on a directory's name. A string that needs two meanings takes a msgctxt
(pgettext) instead."""
from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def po_files() -> list[Path]:
    """Every .po of the project: the per-feature catalogs under tracker/, and translations/ if there is one."""
    return sorted(p for folder in ("tracker", "translations") for p in (ROOT / folder).glob("**/*.po"))


def translations_by_message() -> dict[tuple, dict[str, object]]:
    """(msgctxt, msgid) → {catalog: its translation}, for every translated message of every catalog."""
    table: dict[tuple, dict[str, object]] = defaultdict(dict)
    for po in po_files():
        with po.open("rb") as f:
            catalog = read_po(f, locale="vi")
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string if isinstance(message.string, str) else tuple(message.string)
            if string and string != ("",) * len(string):
                table[(message.context, msgid)][str(po.relative_to(ROOT))] = string
    return table


def test_every_catalog_is_read():
    assert len(po_files()) >= 20
    assert sum(len(per) > 1 for per in translations_by_message().values()) > 100  # many strings are shared


def test_a_string_has_one_translation_across_catalogs():
    clashes = {key: per for key, per in translations_by_message().items() if len(set(per.values())) > 1}
    lines = [f"{ctx + ': ' if ctx else ''}{msgid!r}: " + "; ".join(f"{po} → {s!r}" for po, s in per.items())
             for (ctx, msgid), per in sorted(clashes.items(), key=lambda kv: kv[0][1])]
    assert not clashes, f"{len(clashes)} strings translated two ways (use one, or a msgctxt):\n" + "\n".join(lines)


def test_the_merged_catalogs_give_the_chosen_wordings(app):
    from flask_babel import force_locale, gettext, pgettext

    from tracker.i18n_catalogs import compile_catalogs

    compile_catalogs()
    with app.test_request_context(), force_locale("vi"):
        assert gettext("active") == "đang hoạt động"  # an account
        assert pgettext("campaign", "active") == "hiện hành"
        assert gettext("by %(name)s", name="Nguyễn Văn A") == "do đ/c Nguyễn Văn A"
        assert gettext("No working group") == "Chưa phân tổ công tác"
        assert gettext("Sessions held") == "Số hội nghị"
        assert gettext("Nothing changed.") == "Không có thay đổi nào."


def test_the_campaign_list_says_hien_hanh_and_the_user_list_dang_hoat_dong(world, login):
    admin = login(world["admin"])
    assert ">hiện hành</span>" in admin.get("/campaigns").get_data(as_text=True)
    users = admin.get("/admin/users").get_data(as_text=True)
    assert ">đang hoạt động</span>" in users and ">hiện hành</span>" not in users
