"""The app starts, the login page is Vietnamese, and a unit gets its six stages."""
from tracker.services.progress import unit_stage_views
from tracker.workflow import STAGES


def test_login_page_is_vietnamese(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page


def test_unit_has_six_stages_with_items(make_unit):
    unit = make_unit("U1")
    views = unit_stage_views(unit.id, unit.congress_date)
    assert list(views) == list(STAGES)
    assert all(len(v.items) >= 3 for v in views.values())
