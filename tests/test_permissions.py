"""tracker.permissions: the admin guard and who reads the report."""
import pytest

from tracker.permissions import can_read_report, require_admin
from tracker.services.errors import Forbidden


@pytest.fixture
def people(make_group, make_unit, make_user):
    make_group("G1")
    make_unit("U1", group="G1")
    return {role: make_user(f"{role}@x.vn", role, unit="U1" if role == "secretary" else None,
                            group="G1" if role == "group" else None)
            for role in ("admin", "group", "secretary", "viewer")}


def test_can_read_report_leaves_out_secretaries(people):
    assert {role for role, user in people.items() if can_read_report(user)} == {"admin", "group", "viewer"}


def test_require_admin_refuses_everyone_but_admins_and_the_operator(people):
    require_admin(people["admin"])
    require_admin(None)  # the operator at the command line
    for role in ("group", "secretary", "viewer"):
        with pytest.raises(Forbidden) as refused:
            require_admin(people[role], "Chỉ Ban Tổ chức.")
        assert refused.value.status == 403 and refused.value.message == "Chỉ Ban Tổ chức."


def test_one_list_of_committee_kinds():
    """Review: the sub-cell and edits branches each wrote their own copy of the committee kinds."""
    from tracker import permissions
    from tracker.services import unit_changes as edits
    from tracker.workflow import gates, stages

    assert permissions.COMMITTEE_KINDS is stages.COMMITTEE_KINDS
    assert gates.COMMITTEE_KINDS is stages.COMMITTEE_KINDS and edits.COMMITTEE_KINDS is stages.COMMITTEE_KINDS
