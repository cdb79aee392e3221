"""process_contact finds the child in the person index, notices repeats, and rates with them."""

from sqlalchemy import select, update

from intake.models import Contact
from intake.models.records import PersonMatch, PersonRecord
from tests.builders import create_contact, referral_payload
from workers.matching.index import import_records
from workers.pipeline import process_contact

RECORDS = """record_id,source,given_name,family_name,date_of_birth,sex,address,postcode,flags,open_case_ref
CS-1,social_care,Jordan,Smith,2015-04-03,male,"10 High Street, Leeds",LS1 4AP,cp_plan,
CS-2,social_care,Amy,Smith,2019-06-01,female,"10 High Street, Leeds",LS1 4AP,,
CS-3,social_care,Kelly,Smith,1990-02-02,female,"10 High Street, Leeds",LS1 4AP,restricted,
CS-9,social_care,Someone,Else,2012-01-01,female,"1 Other Road, York",YO1 7HH,,
"""

NEGLECT = {
    "description": "He comes to school hungry and in dirty clothes most days.",
    "when": "this term",
    "how_known": "seen",
}


def load_index(session, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(RECORDS)
    import_records(session, path, "social_care", progress=False)
    session.commit()


def test_the_child_is_matched_with_the_fields_that_agreed_and_the_family_is_found(
    session, tmp_path
):
    load_index(session, tmp_path)
    contact = create_contact(session, concern=NEGLECT)
    process_contact(contact.id)
    session.expire_all()
    child = contact.children[0]
    matches = session.scalars(
        select(PersonMatch).where(PersonMatch.contact_person_id == child.id)
    ).all()
    assert [m.person_record.record_id for m in matches] == ["CS-1"]
    assert matches[0].band == "match" and matches[0].probability >= 0.95
    assert matches[0].agreements, "an officer needs to see which fields agreed"
    family = session.get(type(contact), contact.id).history["family"]
    assert {"person_record_id", "restricted"} == set(next(f for f in family if f["restricted"]))
    assert any(f.get("given_name") == "Amy" for f in family)


def test_a_child_protection_plan_on_the_matched_record_raises_the_rating(session, tmp_path):
    load_index(session, tmp_path)
    contact = create_contact(session, concern=NEGLECT)
    process_contact(contact.id)
    session.expire_all()
    rated = session.get(type(contact), contact.id)
    assert rated.provisional_rating == "red"
    assert any("cp_plan" in str(reason) for reason in rated.rating_reasons)


def test_three_contacts_in_a_year_are_flagged_as_a_repeat_pattern(session, tmp_path):
    load_index(session, tmp_path)
    contacts = []
    for _ in range(3):
        contact = create_contact(session, concern=NEGLECT)
        process_contact(contact.id)
        # An officer confirms the match, as the desk would.
        for match in session.scalars(select(PersonMatch)):
            match.status = "confirmed"
        session.commit()
        contacts.append(contact)
    session.expire_all()
    history = session.get(type(contacts[-1]), contacts[-1].id).history
    assert history["contacts_12m"] == 3 and history["repeat_pattern"] is True
    assert [c["reference"] for c in history["earlier_contacts"]] == [
        c.reference for c in contacts[:2]
    ]
    assert len(history["categories_over_time"]) == 3
    # Each entry says whether that contact is restricted, so the desk can hold it back.
    assert [c["restricted"] for c in history["categories_over_time"]] == [False, False, False]


def test_a_child_with_no_record_gets_no_matches_and_no_history(session, tmp_path):
    load_index(session, tmp_path)
    contact = create_contact(
        session,
        children=[
            {
                **referral_payload()["children"][0],
                "given_name": "Zebedee",
                "family_name": "Quartermaine",
                "postcode": "M1 1AE",
                "address": "3 Canal St",
                "date_of_birth": "2016-09-09",
            }
        ],
        concern=NEGLECT,
    )
    process_contact(contact.id)
    session.expire_all()
    rated = session.get(type(contact), contact.id)
    assert rated.history["contacts_12m"] == 1 and rated.history["earlier_contacts"] == []
    assert rated.provisional_rating == "amber"


def test_the_hubs_own_systems_read_the_matches_through_the_api_with_restricted_records_hidden(
    client, db, session, tmp_path
):
    from intake import partner_keys

    load_index(session, tmp_path)
    with db.transaction() as s:
        row, key = partner_keys.create(s, "hub-case-system")
        row.scopes = [*row.scopes, "review"]
    payload = referral_payload(concern=NEGLECT)
    headers = {"Authorization": f"Bearer {key}"}
    reference = client.post("/api/v1/referrals", json=payload, headers=headers).json["reference"]
    contact_id = session.scalar(select(Contact.id).where(Contact.reference == reference))
    process_contact(contact_id)

    matches = client.get(f"/api/v1/referrals/{reference}", headers=headers).json["matches"]
    child = [m for m in matches if m["person"] == "child"]
    assert (
        child[0]["record_id"] == "CS-1" and child[0]["band"] == "match" and child[0]["agreements"]
    )

    session.execute(
        update(PersonRecord).where(PersonRecord.record_id == "CS-1").values(restricted=True)
    )
    session.commit()
    hidden = client.get(f"/api/v1/referrals/{reference}", headers=headers).json["matches"][0]
    assert hidden["restricted"] is True and "record_id" not in hidden and "agreements" not in hidden


def test_a_partner_reads_the_rating_but_no_reason_drawn_from_the_hubs_records(
    client, db, session, tmp_path
):
    from intake import partner_keys

    load_index(session, tmp_path)
    with db.transaction() as s:
        _row, key = partner_keys.create(s, "a-gp-practice")
    auth = {"Authorization": f"Bearer {key}"}
    reference = client.post(
        "/api/v1/referrals", json=referral_payload(concern=NEGLECT), headers=auth
    ).json["reference"]
    process_contact(session.scalar(select(Contact.id).where(Contact.reference == reference)))
    contact = session.scalar(select(Contact).where(Contact.reference == reference))
    assert any(r["evidence"]["records"] for r in contact.rating_reasons), "the plan was used"

    rating = client.get(f"/api/v1/referrals/{reference}", headers=auth).json["rating"]

    assert rating["provisional"] == "red"
    assert "cp_plan" not in str(rating) and "CS-1" not in str(rating)
    assert all(
        not r["evidence"]["records"] and r["evidence"]["repeat_contacts"] is None
        for r in rating["reasons"]
    )


def test_the_hubs_own_systems_see_a_restricted_record_in_a_reason_only_as_restricted(
    client, db, session, tmp_path
):
    from intake import partner_keys

    load_index(session, tmp_path)
    session.execute(
        update(PersonRecord).where(PersonRecord.record_id == "CS-1").values(restricted=True)
    )
    session.commit()
    with db.transaction() as s:
        row, key = partner_keys.create(s, "hub-case-system")
        row.scopes = [*row.scopes, "review"]
    headers = {"Authorization": f"Bearer {key}"}
    reference = client.post(
        "/api/v1/referrals", json=referral_payload(concern=NEGLECT), headers=headers
    ).json["reference"]
    process_contact(session.scalar(select(Contact.id).where(Contact.reference == reference)))

    reasons = client.get(f"/api/v1/referrals/{reference}", headers=headers).json["rating"][
        "reasons"
    ]

    records = [record for r in reasons for record in r["evidence"]["records"]]
    assert records and all(set(record) == {"child_ref", "restricted"} for record in records)
    assert "cp_plan" not in str(records)
    # Nor through the rule's name or words.
    assert "protection plan" not in str(reasons) and "cp_plan" not in str(reasons)


def test_a_request_for_information_with_no_concern_is_blue_and_one_with_a_concern_is_not(
    session,
):
    asking = create_contact(
        session,
        concern={
            "description": "Could you tell me whether the Smith family has an allocated social "
            "worker? We are the housing team and need to arrange a visit. No concerns.",
            "when": "today",
            "how_known": "other",
        },
        consent={"answer": "yes"},
    )
    worried = create_contact(
        session,
        concern={
            "description": "Could you tell me whether the family is known? Jordan had a bruise "
            "on his cheek today.",
            "when": "today",
            "how_known": "seen",
        },
    )
    process_contact(asking.id)
    process_contact(worried.id)
    session.expire_all()
    assert session.get(Contact, asking.id).provisional_rating == "blue"
    assert session.get(Contact, worried.id).provisional_rating != "blue"
