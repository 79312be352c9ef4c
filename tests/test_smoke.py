"""The app starts, a liaison officer signs in and sees their witness."""


def test_officer_signs_in_and_sees_witness(client, auth, officer, make_witness):
    witness = make_witness()
    response = auth.login(officer)
    assert response.status_code == 302
    page = client.get("/witnesses/")
    assert page.status_code == 200
    assert witness.reference in page.get_data(as_text=True)
