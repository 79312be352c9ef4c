"""Testimonial aids on the pages: the note given when an aid is recorded (and each note added with
a status change) is shown on the witness's aids page and on the court event's page, only to those
who may see that witness's aids."""

from __future__ import annotations

from witness_support.aids import operations as aid_ops
from witness_support.cases import operations as case_ops
from witness_support.extensions import db


def test_the_note_typed_with_a_new_aid_is_shown_on_the_aids_page(client, auth, officer, make_journey):
    journey = make_journey()
    auth.login(officer)
    response = client.post(f"/witnesses/{journey.witness.id}/aids", data={
        "case_id": journey.case.id, "kind": "intermediary", "note": "Speaks through a picture board."})
    assert response.status_code == 302
    page = client.get(f"/witnesses/{journey.witness.id}/aids").get_data(as_text=True)
    assert "Speaks through a picture board." in page


def test_a_note_added_with_a_decision_is_kept_beside_the_first(client, auth, officer, make_journey):
    journey = make_journey()
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "screen", "Family of the accused in court.")
    db.session.commit()
    auth.login(officer)
    client.post(f"/aids/{aid.id}/status", data={"status": "applied", "note": "Filed with the registry."})
    page = client.get(f"/witnesses/{journey.witness.id}/aids").get_data(as_text=True)
    row = page[page.index(f'id="aid-{aid.id}"'):]
    assert "Family of the accused in court.\nFiled with the registry." in row


def test_the_event_page_shows_the_aids_of_its_witnesses_in_its_case_with_their_notes(
    client, auth, officer, prosecutor, make_case, make_witness, make_journey, make_event
):
    case, other_case = make_case(), make_case()
    case_ops.assign_to_case(officer, case, prosecutor)
    required, absent = make_witness(), make_witness()
    for witness in (required, absent):
        make_journey(witness, case)
    make_journey(required, other_case)
    aid_ops.propose_aid(officer, required, case, "video_link", "Gives evidence from the witness suite.")
    aid_ops.propose_aid(officer, required, other_case, "closed_court", "Only in the other case.")
    aid_ops.propose_aid(officer, absent, case, "screen", "Not at this event.")
    event = make_event(case, [required])
    db.session.commit()
    for user in (officer, prosecutor):
        auth.login(user)
        page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
        section = page[page.index('id="aids"'):page.index('id="attendance"')]
        assert "Video link" in section and "Gives evidence from the witness suite." in section
        assert f"/witnesses/{required.id}/aids" in section
        assert "Only in the other case." not in page
        assert "Not at this event." not in page
        auth.logout()


def test_the_event_page_has_no_aids_section_when_its_witnesses_have_none(
    client, auth, officer, make_case, make_witness, make_journey, make_event
):
    case = make_case()
    witness = make_witness()
    make_journey(witness, case)
    event = make_event(case, [witness], kind="mention")
    auth.login(officer)
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    assert 'id="aids"' not in page
