"""A crawl of the pages a signed-in person reaches by links, for the tests of every page: no link
leads to a page its reader cannot open, and no page repeats an id or has a label for nothing."""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from flask.testing import FlaskClient

# Links a crawl must not follow: they leave the signed-in session, or are files for other programs.
SKIP_PREFIXES = ("/static/", "/logout")


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


def _parse(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def same_site_links(path: str, body: str) -> list[str]:
    """The page's links to this site (path and query), but those a crawl must not follow."""
    links = []
    for href in _parse(body).hrefs:
        parts = urlsplit(urldefrag(urljoin(f"https://witness.test{path}", href)).url)
        if parts.scheme not in ("http", "https") or parts.netloc not in ("", "witness.test"):
            continue
        link = parts.path + (f"?{parts.query}" if parts.query else "")
        if not link.startswith(SKIP_PREFIXES):
            links.append(link)
    return links


def page_problems(path: str, body: str) -> list[str]:
    """Ids that appear more than once, and labels whose `for` names no element."""
    page = _parse(body)
    twice = [f"{path}: id {name!r} appears {n} times" for name, n in Counter(page.ids).items() if n > 1]
    ids = set(page.ids)
    orphans = [f"{path}: label for {name!r} names no element" for name in page.label_for if name not in ids]
    return twice + orphans


Crawl = tuple[set[str], list[tuple[str, str, int]], list[str]]


def crawl(client: FlaskClient, start: str = "/", limit: int = 600) -> Crawl:
    """Every page reachable from `start` by links (GET only, breadth first, up to `limit` pages);
    the links that answered 403, 404 or 405, as (from, to, status); and each HTML page's problems."""
    seen, dead, problems = {start}, [], []
    queue = deque([(start, "")])
    while queue and len(seen) < limit:
        path, source = queue.popleft()
        response = client.get(path)
        if response.status_code in (403, 404, 405):
            dead.append((source, path, response.status_code))
            continue
        if response.status_code in (301, 302, 303):  # the administrator's home, say
            target = urlsplit(response.headers["Location"])
            target_path = target.path + (f"?{target.query}" if target.query else "")
            if target_path not in seen and not target_path.startswith(SKIP_PREFIXES):
                seen.add(target_path)
                queue.append((target_path, path))
            continue
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        body = response.get_data(as_text=True)
        problems += page_problems(path, body)
        for link in same_site_links(path, body):
            if link not in seen:
                seen.add(link)
                queue.append((link, path))
    return seen, dead, problems
