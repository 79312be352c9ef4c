"""No link leads a reader to a page they cannot use: each demo role's pages are crawled, every
same-site link followed, and any 403, 404 or 405 reached through a link fails the walk; no page
the crawl reaches repeats an id or has a label for nothing. A readiness blocker that someone else
fixes links to a page that says who, and asking raises one task."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.crawl import crawl, same_site_links
from witness_support.audit import AuditEvent
from witness_support.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from witness_support.extensions import db
from witness_support.tasks.models import Task


@pytest.mark.real_commits
@pytest.mark.parametrize("email", [email for email, _, _ in DEMO_ACCOUNTS])  # every demo login, the supervisor too
def test_every_link_each_demo_role_can_reach_opens(app, client, auth, email):
    """One crawl per role checks both: every link opens, and every page it reaches keeps its ids
    unique and its labels pointing at a box (tests/test_ui_unique_ids.py holds the case that
    made this a rule)."""
    seed_demo(count=6)
    auth.login(email, DEMO_PASSWORD)
    seen, dead, problems = crawl(client)
    assert len(seen) > 5  # the walk really went somewhere
    assert dead == []
    assert not problems, "\n".join(problems[:60])


@pytest.mark.real_commits
def test_prosecutor_blockers_link_to_who_fixes_them_and_asking_raises_one_task(app, client, auth):
    seed_demo(count=12)
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    board = client.get("/court/readiness").get_data(as_text=True)
    # The most common blocker is fixed by the officer: the prosecutor is offered to ask them.
    assert "/risk-assessments/new" not in board and "/assignments/new" not in board
    ask_links = [link for link in same_site_links("/court/readiness", board)
                 if "/readiness/ask?" in link]
    assert ask_links
    link = next(link for link in ask_links if "blocker=risk_assessment" in link) if any(
        "blocker=risk_assessment" in link for link in ask_links) else ask_links[0]
    page = client.get(link).get_data(as_text=True)
    assert "Lina Liaison" in page and "Ask Lina Liaison to fix this" in page

    first = client.post(link)
    assert first.status_code == 303
    assert "Asked Lina Liaison." in client.get(first.headers["Location"]).get_data(as_text=True)
    second = client.post(link)
    assert "already has this task open" in client.get(second.headers["Location"]).get_data(as_text=True)

    tasks = db.session.execute(sa.select(Task).where(Task.kind.startswith("blocker_"))).scalars().all()
    assert len(tasks) == 1 and tasks[0].assignee.email == "officer@demo.invalid"
    assert tasks[0].title.startswith(("Record", "Confirm", "Review", "Get", "Book", "Arrange", "Assign"))
    assert db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "readiness.ask")
    ).scalar() == 2
    assert "Already asked" in client.get(link).get_data(as_text=True)

    auth.logout()
    auth.login("officer@demo.invalid", DEMO_PASSWORD)
    assert tasks[0].title in client.get("/").get_data(as_text=True)


@pytest.mark.real_commits
def test_asking_about_an_unknown_blocker_or_a_hidden_witness_answers_404(app, client, auth, request):
    seed_demo(count=3)
    # The factories sign up an account, which seed-demo refuses to join: they come after it.
    make_user, make_witness = request.getfixturevalue("make_user"), request.getfixturevalue("make_witness")
    hidden = make_witness(by=make_user("liaison_officer", email="other@example.invalid"))
    db.session.commit()
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    assert client.get(f"/witnesses/{hidden.id}/readiness/ask?blocker=risk_assessment").status_code == 404
    visible = db.session.execute(sa.text("SELECT witness_id FROM journeys LIMIT 1")).scalar()
    assert client.get(f"/witnesses/{visible}/readiness/ask?blocker=nonsense").status_code == 404
    assert client.post(f"/witnesses/{hidden.id}/readiness/ask?blocker=risk_assessment").status_code == 404
