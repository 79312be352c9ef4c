"""The supervisor's page: each number counts what the list behind it shows, among what the
supervisor may see; a fixed number of statements whatever the team's size; nobody else sees it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from witness_support.cases import operations as case_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification, Status
from witness_support.tasks import operations as task_ops


def _numbers(page: str) -> dict[str, str]:
    """Each linked number on the page: its hidden label (who and what) → the number and the link."""
    return {label.strip(): f"{number} {href.replace('&amp;', '&')}"
            for href, number, label in re.findall(
                r'<a href="([^"]+)">(\d+)<span class="visually-hidden">([^<]+)</span></a>', page)}


def _notice(witness, status: str, days_late: int, n: int):  # noqa: ANN001, ANN202
    now = utc_now()
    notice = Notification(witness_id=witness.id, kind="hearing_date", dedup_key=f"sup-{witness.id}-{n}",
                          triggered_at=now - timedelta(days=days_late + 2), status=status,
                          deadline_at=now - timedelta(days=days_late))
    db.session.add(notice)
    return notice


@pytest.fixture
def team(make_user, make_case, make_witness, assess):  # noqa: ANN001, ANN201
    """Sue supervises Amy and Bob (liaison officers) and Pam (a prosecutor). Sue works on the case
    that holds Amy's first two witnesses and an unassigned one; Amy's third witness is in no case
    of Sue's, so Sue may not see it and it counts nowhere."""
    sue = make_user("liaison_officer", display_name="Sue Supervisor")
    amy = make_user("liaison_officer", display_name="Amy Officer")
    bob = make_user("liaison_officer", display_name="Bob Officer")
    pam = make_user("prosecutor", display_name="Pam Prosecutor")
    for person in (amy, bob, pam):
        person.supervisor_id = sue.id
    case = make_case(by=sue)
    w1, w2, hidden = make_witness(by=amy), make_witness(by=amy), make_witness(by=amy)
    orphan = make_witness(by=pam)
    assess(w1, stage="pre_trial", days_ago=40)  # review overdue
    assess(hidden, stage="pre_trial", days_ago=40)
    for witness in (w1, w2, orphan):
        case_ops.start_journey(sue, case, witness)
    db.session.commit()
    task_ops.create_task(amy, "manual", "Call W about the hearing", witness_id=w1.id,
                         due_at=utc_now() - timedelta(days=2))
    task_ops.create_task(amy, "manual", "Late but hidden", witness_id=hidden.id, due_at=utc_now() - timedelta(days=2))
    task_ops.create_task(amy, "manual", "Not due yet", witness_id=w2.id, due_at=utc_now() + timedelta(days=2))
    _notice(w1, Status.FAILED, 1, 1)
    _notice(w2, Status.AWAITING_OFFICER, 3, 2)
    _notice(w2, Status.PENDING, -3, 3)  # not yet due: on time
    _notice(hidden, Status.FAILED, 1, 4)
    db.session.commit()
    return {"sue": sue, "amy": amy, "bob": bob, "pam": pam, "w1": w1, "w2": w2, "hidden": hidden, "orphan": orphan}


def test_each_number_counts_what_its_list_shows(app, client, auth, team):  # noqa: ANN001
    auth.login(team["sue"])
    page = client.get("/").get_data(as_text=True)
    assert "/supervision/" in page  # linked from the home page
    page = client.get("/supervision/").get_data(as_text=True)
    numbers = _numbers(page)
    amy = team["amy"].id
    assert numbers["witnesses of Amy Officer"] == f"2 /witnesses/?officer={amy}"
    assert numbers["risk reviews overdue, Amy Officer"] == f"1 /witnesses/?officer={amy}&review_overdue=y"
    assert numbers["tasks overdue, Amy Officer"] == f"1 /tasks/?view=overdue&assignee={amy}"
    assert numbers["notices not delivered, Amy Officer"] == f"2 /notifications/undelivered?officer={amy}"
    assert numbers["witnesses of Bob Officer"].startswith("0 ")
    assert "Pam Prosecutor" in page and "witnesses of Pam Prosecutor" not in numbers
    assert numbers["witnesses without a liaison officer"] == "1 /witnesses/?officer=none"
    assert numbers["risk reviews overdue"] == "1 /witnesses/?review_overdue=y"
    assert numbers["tasks overdue"] == "1 /tasks/?view=overdue"
    assert numbers["notices not delivered"] == "2 /notifications/undelivered"

    # Behind each number, the list with as many rows.
    refs = {key: team[key].reference for key in ("w1", "w2", "hidden", "orphan")}
    listed = client.get(f"/witnesses/?officer={amy}").get_data(as_text=True)
    assert refs["w1"] in listed and refs["w2"] in listed and refs["hidden"] not in listed
    listed = client.get(f"/witnesses/?officer={amy}&review_overdue=y").get_data(as_text=True)
    assert refs["w1"] in listed and refs["w2"] not in listed
    listed = client.get("/witnesses/?officer=none").get_data(as_text=True)
    assert refs["orphan"] in listed and refs["w1"] not in listed
    tasks = client.get(f"/tasks/?view=overdue&assignee={amy}").get_data(as_text=True)
    assert "Call W about the hearing" in tasks and "Late but hidden" not in tasks and "Not due yet" not in tasks
    assert "Only tasks for Amy Officer" in tasks
    notices = client.get(f"/notifications/undelivered?officer={amy}").get_data(as_text=True)
    assert notices.count("flag-overdue") == 2 and refs["hidden"] not in notices
    assert client.get(f"/notifications/undelivered?officer={team['bob'].id}").get_data(as_text=True).count(
        "flag-overdue") == 0


def test_the_page_costs_the_same_statements_for_a_bigger_team(app, client, auth, team, make_user,
                                                               count_queries):  # noqa: ANN001
    auth.login(team["sue"])
    with count_queries() as small:
        assert client.get("/supervision/").status_code == 200
    for _ in range(4):
        make_user("liaison_officer").supervisor_id = team["sue"].id
    db.session.commit()
    with count_queries() as big:
        assert client.get("/supervision/").status_code == 200
    assert len(big) == len(small)


def test_only_supervisors_see_it(app, client, auth, team, admin, make_user):  # noqa: ANN001
    auth.login(team["amy"])  # supervises nobody
    assert client.get("/supervision/").status_code == 404
    assert "/supervision/" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(admin)  # no witness data for administrators
    assert client.get("/supervision/").status_code == 404
    auth.logout()
    assert client.get("/supervision/").status_code in (302, 401)  # signing in first


def test_a_disabled_team_member_drops_off(app, client, auth, team):  # noqa: ANN001
    for key in ("amy", "bob", "pam"):
        team[key].active = False
    db.session.commit()
    auth.login(team["sue"])
    assert client.get("/supervision/").status_code == 404


def test_bad_ids_in_the_linked_lists(app, client, auth, team):  # noqa: ANN001
    auth.login(team["sue"])
    assert client.get("/tasks/?assignee=abc").status_code == 400
    assert client.get("/tasks/?assignee=999999").status_code == 404
    assert client.get("/notifications/undelivered?officer=99999999999").status_code == 400
    assert client.get("/notifications/undelivered?officer=999999").status_code == 404
