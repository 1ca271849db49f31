"""The flask commands of the contract: users create, tokens create; bad input exits non-zero, changes nothing."""
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import ApiToken, User


def users(*args):
    return ["users", "create", *args]


def test_users_create_and_token_alone_on_the_last_line(app, make_unit, make_group):
    make_unit("U1")
    make_group("G1")
    runner = app.test_cli_runner()
    out = runner.invoke(args=users("sec@u1.vn", "--name", "Bí thư", "--role", "secretary", "--password",
                                   "long-enough-1", "--unit", "U1"))
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=users("m@g1.vn", "--name", "Tổ viên", "--role", "group", "--group", "G1"),
                        input="long-enough-2\nlong-enough-2\n")
    assert out.exit_code == 0, out.output
    member = db.session.scalar(select(User).where(User.email == "m@g1.vn"))
    assert member.check_password("long-enough-2") and [g.code for g in member.groups] == ["G1"]
    assert member.password_hash != "long-enough-2"
    out = runner.invoke(args=["tokens", "create", "sec@u1.vn"])
    assert out.exit_code == 0
    token = out.output.strip().splitlines()[-1]
    assert len(token) >= 32 and " " not in token
    assert db.session.scalar(select(ApiToken.token_hash)) == ApiToken.digest(token)  # only the hash is kept


def test_bad_input_exits_non_zero_with_one_line_and_changes_nothing(app, make_unit):
    make_unit("U1")
    runner = app.test_cli_runner()
    runner.invoke(args=users("a@x.vn", "--name", "A", "--role", "admin", "--password", "long-enough-1"))
    before = db.session.scalar(select(func.count()).select_from(User))
    bad = [
        users("not-an-email", "--name", "X", "--role", "admin", "--password", "long-enough-1"),
        users("b@x.vn", "--name", "X", "--role", "pope", "--password", "long-enough-1"),
        users("b@x.vn", "--name", "X", "--role", "secretary", "--password", "long-enough-1"),
        users("b@x.vn", "--name", "X", "--role", "secretary", "--password", "long-enough-1", "--unit", "NOPE"),
        users("b@x.vn", "--name", "X", "--role", "admin", "--password", "short"),
        users("A@X.VN", "--name", "X", "--role", "admin", "--password", "long-enough-1"),
        ["tokens", "create", "nobody@x.vn"],
    ]
    for args in bad:
        out = runner.invoke(args=args)
        assert out.exit_code != 0, args
        assert out.output.strip(), args
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_sweep_moment_out_of_range_is_one_line_not_a_traceback(app, campaign):
    out = app.test_cli_runner().invoke(args=["reminders", "sweep", "--at", "0001-01-01T08:00"])
    assert out.exit_code != 0
    assert "Traceback" not in out.output and len(out.output.strip().splitlines()) == 1
