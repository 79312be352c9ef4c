"""Finding witnesses: by reference, by any part of a name (names stay encrypted), and the list's filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support import crypto
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import WitnessNameToken
from witness_support.witnesses.queries import rebuild_name_index
from witness_support.witnesses.views import search_witnesses


def _ids(found) -> set[int]:  # noqa: ANN001
    return {w.id for w in found}


def _search(user, q):  # noqa: ANN001, ANN202
    found = search_witnesses(user, q, None, via="test")
    db.session.commit()
    return _ids(found)


@pytest.fixture
def people(make_witness):  # noqa: ANN001, ANN201
    return {
        "ana": make_witness(legal_name="Ana María Quispe López"),
        "nguyen": make_witness(legal_name="Nguyễn Thị Mai"),
        "mohammed": make_witness(legal_name="Mohammed Al-Rashid"),
        "sofia": make_witness(legal_name="Sophia Kowalczyk"),
        "other": make_witness(legal_name="Tomasz Brzeczyszczykiewicz"),
    }


def test_a_token_from_the_middle_of_a_name_without_accents_finds_the_witness(app, officer, people):
    assert _search(officer, "quispe") == {people["ana"].id}
    assert _search(officer, "MARIA") == {people["ana"].id}
    assert _search(officer, "lopez ana") == {people["ana"].id}  # any order, every word must match
    assert _search(officer, "nguyen mai") == {people["nguyen"].id}
    assert _search(officer, "Ana Smith") == set()


def test_a_common_transliteration_variant_finds_the_witness(app, officer, people):
    assert _search(officer, "Mohamed") == {people["mohammed"].id}
    assert _search(officer, "sofia") == {people["sofia"].id}
    assert _search(officer, "rashid") == {people["mohammed"].id}


def test_reference_exact_prefix_and_wrong_case(app, officer, people):
    reference = people["ana"].reference
    assert _search(officer, reference) == {people["ana"].id}
    assert _search(officer, reference.lower()) == {people["ana"].id}
    assert people["ana"].id in _search(officer, reference[:8].lower())
    assert _search(officer, "W-1999-") == set()
    assert _search(officer, "w-%") == set()  # a LIKE wildcard is a character like any other


def test_someone_who_may_not_see_the_identity_finds_nothing_by_name(app, officer, make_user, people):
    ana = people["ana"]
    interpreter, guardian, stranger = make_user("support_person"), make_user("support_person"), make_user()
    witness_ops.assign_support(officer, ana, interpreter, "interpreter")
    witness_ops.assign_support(officer, ana, guardian, "guardian")
    db.session.commit()
    assert _search(guardian, "quispe") == {ana.id}
    assert _search(interpreter, "quispe") == set()
    assert _search(stranger, "quispe") == set()
    # The reference is pseudonymous: the interpreter finds their witness by it, the stranger not.
    assert _search(interpreter, ana.reference) == {ana.id}
    assert _search(stranger, ana.reference) == set()


def test_a_hidden_witness_is_neither_counted_nor_decrypted(app, officer, make_user, people, monkeypatch):
    stranger = make_user()
    mine_id = make_witness_for(stranger, "Quispe Someone").id
    opened: list[str] = []
    real = crypto.Keyring.decrypt
    monkeypatch.setattr(crypto.Keyring, "decrypt", lambda self, token: opened.append(token) or real(self, token))
    assert _search(stranger, "quispe") == {mine_id}
    assert len(opened) == 1  # only the stranger's own witness was opened to confirm the match
    audit = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.search", AuditEvent.actor_id == stranger.id)
    ).scalar_one()
    assert audit.details["matches"] == 1 and "quispe" not in str(audit.details).lower()


def make_witness_for(user, name):  # noqa: ANN001, ANN201
    witness = witness_ops.create_witness(user, legal_name=name, preferred_language="Thai")
    db.session.commit()
    return witness


def test_the_index_holds_truncated_keyed_hashes_and_follows_renames(app, officer, people):
    ana = people["ana"]
    rows = db.session.execute(sa.select(WitnessNameToken.token).where(WitnessNameToken.witness_id == ana.id)).scalars()
    tokens = set(rows)
    assert len(tokens) <= 4 and all(0 <= t < 2 ** app.config["NAME_TOKEN_BITS"] for t in tokens)
    other_key = crypto.Keyring(crypto.keyring().keys, b"another-index-key-0123456789abcdef", "setting")
    assert tokens == crypto.name_tokens("Ana María Quispe López")
    assert tokens != other_key.name_tokens("Ana María Quispe López", app.config["NAME_TOKEN_BITS"])
    witness_ops.update_witness(officer, ana, legal_name="Ana Beltrán")
    db.session.commit()
    assert _search(officer, "quispe") == set()
    assert _search(officer, "beltran") == {ana.id}


def test_rebuilding_the_index_restores_search_for_existing_rows(app, officer, people):
    db.session.execute(sa.delete(WitnessNameToken))
    db.session.commit()
    assert _search(officer, "quispe") == set()
    assert rebuild_name_index(batch=2) == len(people)
    db.session.commit()
    assert _search(officer, "quispe") == {people["ana"].id}


def test_search_page_by_post_audits_a_name_search(app, client, auth, officer, people):
    auth.login(officer)
    page = client.post("/witnesses/search", data={"q": "LÓPEZ"}).get_data(as_text=True)
    assert people["ana"].reference in page and people["other"].reference not in page
    empty = client.post("/witnesses/search", data={"q": "  "})
    assert empty.status_code == 200 and "Enter a reference or a name." in empty.get_data(as_text=True)
    by_reference = client.post("/witnesses/search", data={"q": people["other"].reference.lower()})
    assert people["other"].reference in by_reference.get_data(as_text=True)


# ---- filters ------------------------------------------------------------------------------------


def _listed(client, **args) -> str:  # noqa: ANN001
    response = client.get("/witnesses/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_filters_combine_and_stay_in_the_url(app, client, auth, officer, make_user, make_witness, make_case, assess):
    case = make_case()
    high_overdue = make_witness(participation="participating")
    assess(high_overdue, stage="pre_trial", level="high", days_ago=40)
    high_current = make_witness(participation="participating")
    assess(high_current, stage="pre_trial", level="high")
    low = make_witness(participation="declined", reflection_start=past(3))
    case_ops.start_journey(officer, case, high_overdue)
    db.session.commit()
    auth.login(officer)
    page = _listed(client, risk="high")
    assert high_overdue.reference in page and high_current.reference in page and low.reference not in page
    page = _listed(client, risk="high", review_overdue="y")
    assert high_overdue.reference in page and high_current.reference not in page
    page = _listed(client, participation="declined", reflection="y")
    assert low.reference in page and high_overdue.reference not in page
    page = _listed(client, case=case.reference.lower(), stage="pre_trial")  # typed, in any case
    assert high_overdue.reference in page and high_current.reference not in page
    colleague = make_user(display_name="Colin Colleague")
    witness_ops.assign_support(officer, low, colleague, "liaison_officer")
    db.session.commit()
    page = _listed(client, officer=str(colleague.id))
    assert low.reference in page and high_current.reference not in page


def test_court_date_range_filter_and_bad_dates(app, client, auth, officer, make_witness):
    mine = make_witness()
    mine.next_court_at = utc_now() + timedelta(days=10)
    db.session.commit()
    auth.login(officer)
    page = _listed(client, court_from=future(5).isoformat(), court_to=future(15).isoformat())
    assert mine.reference in page
    assert mine.reference not in _listed(client, court_from=future(11).isoformat())
    bad = _listed(client, court_from=future(15).isoformat(), court_to=future(5).isoformat())
    assert "The end of the range cannot come before its start." in bad and mine.reference not in bad
    assert "Not a valid date value" in _listed(client, court_from="soon")


def test_no_officer_filter(app, client, auth, officer, prosecutor, make_witness, make_case):
    case = make_case(by=prosecutor)
    covered, orphan = make_witness(), make_witness(by=prosecutor)
    case_ops.start_journey(prosecutor, case, covered)
    case_ops.start_journey(prosecutor, case, orphan)
    db.session.commit()
    auth.login(prosecutor)
    page = _listed(client, officer="none")
    assert orphan.reference in page and covered.reference not in page


def test_a_case_the_user_does_not_work_on_filters_to_nothing(app, client, auth, officer, make_user, make_witness):
    other = make_user()
    case = case_ops.create_case(other, reference="CASE-HIDDEN", court_name="Invented Court",
                                court_timezone="UTC", offence_type="Trafficking in persons")
    witness = make_witness()
    case_ops.start_journey(other, case, witness)
    db.session.commit()
    auth.login(officer)
    page = _listed(client, case="CASE-HIDDEN")
    assert witness.reference not in page and "No case you work on has this reference." in page
    assert "CASE-HIDDEN</option>" not in page and 'value="CASE-HIDDEN">' not in page.split("<datalist")[1]
