"""Password strength: repeats, runs, the published demo password, the person's own words and a
zxcvbn score below 3 are refused by the one check that every way of choosing a password uses
(the CLI, the change-password page, invitation and reset links), with the same words."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, AuthActions
from witness_support.auth import operations as auth_ops
from witness_support.auth.models import User
from witness_support.auth.passwords import DEMO_PASSWORD, MIN_ZXCVBN_SCORE, password_problem
from witness_support.errors import ValidationFailed
from witness_support.extensions import db

WEAK = [
    "aaaaaaaaaaaa",  # one character repeated
    " " * 12,  # twelve spaces
    "ababababababab",  # two characters alternating
    "passpasspasspass",  # one unit repeated
    "123456789012",  # digits in a run, wrapping
    "210987654321",  # the same run backwards
    "abcdefghijkl",  # the alphabet
    "ZYXWVUTSRQPO",  # backwards, capitals
    "qwertyuiopasdf",  # a keyboard row, then the next
    "Demo-only-password-2026",  # the demo password with a capital letter
    "DEMO-ONLY-PASSWORD-2026!",  # shouted, with a symbol
    " demo only password 2026 ",  # spaces instead of hyphens
    DEMO_PASSWORD,
    "Password1234",  # on the blocklist once folded
    "iloveyou2024!",  # a common phrase and a year: zxcvbn
    "Olive.Smith.2026",  # the person's own name (display name and email): zxcvbn user inputs
]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_with_a_reason(app, password):
    reason = password_problem(password, "olive@example.test", "Olive Smith")
    assert reason is not None and reason.endswith(".")


def test_the_persons_own_words_count_as_weak(app):
    # Neither on the blocklist nor a run: only the person's name makes it guessable.
    for password in ("marigoldfeatherstone7", "Featherstone1990!"):
        assert password_problem(password, "m.f@example.test") is None
        assert "too easy to guess" in password_problem(password, "m.f@example.test", "Marigold Featherstone")


def test_the_fixture_password_and_passphrases_pass(app):
    assert password_problem(PASSWORD, "olive@example.test", "Olive Officer") is None
    assert password_problem("tangerine rowboat quietly", "olive@example.test", "Olive Officer") is None
    assert MIN_ZXCVBN_SCORE == 3


def test_every_way_of_choosing_refuses_with_the_same_message(app, client, auth, officer, make_user, smtp_server):
    weak = "Demo-only-password-2026"
    message = password_problem(weak, "somebody@example.test")
    assert message and message == password_problem(weak, officer.email, officer.display_name)

    # The CLI.
    result = app.test_cli_runner().invoke(args=["users", "create", "cli@example.test", "--role", "prosecutor"],
                                          input=weak + "\n")
    assert result.exit_code != 0 and message in result.output
    assert db.session.execute(sa.select(User).where(User.email == "cli@example.test")).first() is None

    # The operation behind every form.
    with pytest.raises(ValidationFailed) as caught:
        auth_ops.create_user("op@example.test", role="prosecutor", password=weak)
    assert caught.value.field_errors["password"] == message

    # The change-password page: the message by the field, nothing changed.
    auth.login(officer)
    before = officer.password_hash
    page = client.post("/account/password", data={"current_password": PASSWORD, "password": weak})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.password_hash == before

    # A reset link.
    guest = app.test_client()
    guest.post("/password/forgot", data={"email": officer.email})
    (link,) = smtp_server.links()
    page = guest.post(link, data={"password": weak})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.password_hash == before

    # An invitation.
    admin = make_user("admin")
    inviter = app.test_client()
    AuthActions(inviter).login(admin)
    inviter.post("/admin/users/new", data={"email": "invited@example.test", "role": "liaison_officer",
                                           "display_name": "Invited Person"})
    link = smtp_server.links()[-1]
    page = app.test_client().post(link, data={"password": weak})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    invited = db.session.execute(sa.select(User).where(User.email == "invited@example.test")).scalar_one()
    assert invited.password_hash is None


def test_only_the_demo_seed_may_set_the_demo_password(app):
    with pytest.raises(ValidationFailed):
        auth_ops.create_user("real@example.test", role="prosecutor", password=DEMO_PASSWORD)
    demo = auth_ops.create_user("seeded@demo.invalid", role="prosecutor", password=DEMO_PASSWORD, demo=True)
    assert demo.is_demo
    # The demo flag does not open the door to other weak passwords.
    with pytest.raises(ValidationFailed):
        auth_ops.create_user("other@demo.invalid", role="prosecutor", password="aaaaaaaaaaaa", demo=True)
