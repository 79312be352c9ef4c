"""Each page's ids are unique, and each label points at a box that exists: two forms on one page
sharing id="reason" made a label name the wrong box. Every page each demo role reaches by links
is parsed."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from witness_support.demo import DEMO_PASSWORD, seed_demo

_SKIP_PREFIXES = ("/static/", "/logout", "/feeds/")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"])
        if tag == "label" and values.get("for"):
            self.label_for.append(values["for"])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


def _problems(path: str, body: str) -> tuple[list[str], list[str]]:
    page = _Page()
    page.feed(body)
    twice = [f"{path}: id {name!r} appears {n} times" for name, n in Counter(page.ids).items() if n > 1]
    ids = set(page.ids)
    orphans = [f"{path}: label for {name!r} names no element" for name in page.label_for if name not in ids]
    links = []
    for href in page.hrefs:
        parts = urlsplit(urldefrag(urljoin(f"https://witness.test{path}", href)).url)
        if parts.netloc in ("", "witness.test") and parts.scheme in ("http", "https", ""):
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if not link.startswith(_SKIP_PREFIXES):
                links.append(link)
    return twice + orphans, links


@pytest.mark.real_commits
@pytest.mark.parametrize("email", ["officer@demo.invalid", "prosecutor@demo.invalid", "support@demo.invalid",
                                   "admin@demo.invalid"])
def test_no_page_repeats_an_id_or_has_a_label_for_nothing(app, client, auth, email):
    seed_demo(count=4)
    auth.login(email, DEMO_PASSWORD)
    seen, queue, problems, pages = {"/"}, deque(["/"]), [], 0
    while queue and pages < 250:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code in (301, 302, 303):  # the administrator's home, say
            target = urlsplit(response.headers["Location"])
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and not link.startswith(_SKIP_PREFIXES):
                seen.add(link)
                queue.append(link)
            continue
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        pages += 1
        found, links = _problems(path, response.get_data(as_text=True))
        problems += found
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert pages > 3, f"only {pages} pages reached"  # the walk really went somewhere
    assert not problems, "\n".join(problems[:60])


def test_the_event_pages_reason_boxes_each_have_their_own_label(client, auth, officer, make_case, make_witness,
                                                                make_journey, make_event):
    case = make_case()
    witness = make_witness()
    make_journey(witness, case)
    event = make_event(case, [witness], kind="mention", days=10)
    auth.login(officer)
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    assert '<label for="move-reason">Why it moved</label>' in page
    assert '<label for="cancel-reason">Why it was cancelled</label>' in page
    assert re.search(r'<textarea id="move-reason"[^>]* name="reason"', page)
    assert re.search(r'<textarea id="cancel-reason"[^>]* name="reason"', page)
    problems, _ = _problems(f"/court-events/{event.id}", page)
    assert problems == []
    # The boxes still send "reason": cancelling works as before.
    assert client.post(f"/court-events/{event.id}/cancel", data={"reason": "Adjourned sine die."}).status_code == 302
