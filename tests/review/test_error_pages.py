"""Staff who hit an error see the desk's own page, never the referral form's."""

from __future__ import annotations

from intake.review import worklist
from tests.review.support import reviewable_contact

PUBLIC_WORDS = "Go to the start of the form"


def test_an_unknown_officer_address_and_a_wrong_method_get_the_desks_page(officer, session):
    contact = reviewable_contact(session)
    for response, code in (
        (officer.get("/officer/no-such-page"), 404),
        (officer.get(f"/officer/contacts/{contact.reference}/outcome"), 405),
    ):
        text = response.get_data(as_text=True)
        assert response.status_code == code
        assert "MASH officer&#39;s desk" in text or "MASH officer's desk" in text
        assert "Go back to your start page" in text and PUBLIC_WORDS not in text


def test_a_fault_on_an_officer_page_gets_the_desks_page_and_a_warning_to_check(
    app, officer, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(worklist, "queue_page", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = officer.get("/officer/queue")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "What you were doing may not have been saved" in text and PUBLIC_WORDS not in text


def test_an_out_of_date_form_on_the_desk_says_so_in_the_desks_words(app, officer, session):
    contact = reviewable_contact(session)
    app.config["WTF_CSRF_ENABLED"] = True
    response = officer.post(f"/officer/contacts/{contact.reference}/assign", data={"assignee": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was out of date" in text and "/refer/continue" not in text
