"""No link leads a reader to a page they cannot use: each demo role's pages are crawled, every
same-site link followed, and any 403, 404 or 405 reached through a link fails the walk. A readiness
blocker that someone else fixes links to a page that says who, and asking raises one task."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import sqlalchemy as sa

from witness_support.audit import AuditEvent
from witness_support.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from witness_support.extensions import db
from witness_support.tasks.models import Task

# Links a crawl must not follow: they leave the signed-in session, or are files for other programs.
_SKIP_PREFIXES = ("/static/", "/logout")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _same_site_links(base: str, body: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    paths = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc not in ("", "witness.test"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(_SKIP_PREFIXES):
            paths.append(path)
    return paths


def crawl(client, start: str = "/", limit: int = 600) -> tuple[set[str], list[tuple[str, str, int]]]:  # noqa: ANN001
    """Every page reachable from `start` by links (GET only); the links that answered 403/404/405."""
    seen, dead = {start}, []
    queue = deque([(start, "")])
    while queue and len(seen) < limit:
        path, source = queue.popleft()
        response = client.get(path)
        if response.status_code in (403, 404, 405):
            dead.append((source, path, response.status_code))
            continue
        if response.status_code in (301, 302, 303):
            target = urlsplit(response.headers["Location"])
            target_path = target.path + (f"?{target.query}" if target.query else "")
            if target_path not in seen and not target_path.startswith(_SKIP_PREFIXES):
                seen.add(target_path)
                queue.append((target_path, path))
            continue
        if not response.content_type.startswith("text/html"):
            continue
        for link in _same_site_links(f"https://witness.test{path}", response.get_data(as_text=True)):
            if link not in seen:
                seen.add(link)
                queue.append((link, path))
    return seen, dead


@pytest.mark.real_commits
@pytest.mark.parametrize("email", [email for email, _, _ in DEMO_ACCOUNTS])  # every demo login, the supervisor too
def test_every_link_each_demo_role_can_reach_opens(app, client, auth, email):
    seed_demo(count=6)
    auth.login(email, DEMO_PASSWORD)
    seen, dead = crawl(client)
    assert len(seen) > 5  # the walk really went somewhere
    assert dead == []


@pytest.mark.real_commits
def test_prosecutor_blockers_link_to_who_fixes_them_and_asking_raises_one_task(app, client, auth):
    seed_demo(count=12)
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    board = client.get("/court/readiness").get_data(as_text=True)
    # The most common blocker is fixed by the officer: the prosecutor is offered to ask them.
    assert "/risk-assessments/new" not in board and "/assignments/new" not in board
    ask_links = [link for link in _same_site_links("https://witness.test/court/readiness", board)
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
