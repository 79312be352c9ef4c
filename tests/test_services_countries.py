"""Countries as ISO 3166-1 codes: a witness's country of origin and an organisation's country, given
through the pages and the API, checked against the one table, shown by name."""

from __future__ import annotations

from witness_support.countries import COUNTRIES, country_name, normalise_country
from witness_support.extensions import db
from witness_support.services.models import Organisation


def test_the_table_and_its_words():
    assert len(COUNTRIES) == 249 and COUNTRIES["ID"] == "Indonesia" and COUNTRIES["NE"] == "Niger"
    assert (normalise_country(" my "), normalise_country("malaysia"), normalise_country("")) == ("MY", "MY", "")
    assert normalise_country("Malay") is None and normalise_country("XX") is None
    assert (country_name("th"), country_name(""), country_name("QQ")) == ("Thailand", "", "QQ")


def test_a_witness_country_of_origin_over_the_api_and_on_the_page(client, auth, officer, make_witness, api_token):
    witness = make_witness()
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}"
    refused = client.patch(url, json={"country_of_origin": "XX"}, headers=headers)
    assert refused.status_code == 422 and "country_of_origin" in refused.get_json()["error"]["fields"]
    response = client.patch(url, json={"country_of_origin": "kh"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["country_of_origin"] == "KH"
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Country of origin</dt><dd>Cambodia" in page
    form = client.get(f"/witnesses/{witness.id}/edit").get_data(as_text=True)
    assert '<option selected value="KH">Cambodia</option>' in form or 'value="KH" selected' in form


def test_the_directory_form_takes_a_country_from_the_list(client, auth, officer):
    auth.login(officer)
    assert client.post("/organisations/new", data={"name": "Invented Phnom Penh NGO", "kind": "ngo",
                                                   "country_code": "KH"}).status_code == 302
    refused = client.post("/organisations/new", data={"name": "Invented Atlantis NGO", "kind": "ngo",
                                                      "country_code": "Atlantis"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    [organisation] = db.session.query(Organisation).all()
    assert (organisation.country_code, organisation.country) == ("KH", "Cambodia")
    assert "Cambodia" in client.get("/organisations").get_data(as_text=True)
