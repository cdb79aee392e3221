"""The contact page: everything the referrer said, what the service made of it, and the audit."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import select

from channels.email.attachments import file_path, store_attachments
from channels.email.parse import RawAttachment
from intake import service
from intake.models import AuditEvent
from tests.review.support import CONCERN, outbound_message, person_match, reviewable_contact


def test_viewing_a_contact_is_audited_with_who_and_from_where(officer, staff, session):
    contact = reviewable_contact(session)
    assert officer.get(f"/officer/contacts/{contact.reference}").status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_viewed"))
    assert event.user_id == staff["officer"].id
    assert (event.subject_type, event.subject_id) == ("contact", contact.reference)
    assert event.ip_address == "127.0.0.1"


def test_an_unknown_reference_is_a_kind_404(officer):
    response = officer.get("/officer/contacts/NOPE-NOPE")
    assert response.status_code == 404
    assert "There is no contact with that reference" in response.get_data(as_text=True)


def test_a_restricted_contact_is_refused_to_staff_without_access_and_the_refusal_audited(
    client_for, staff, session
):
    contact = reviewable_contact(session, restricted=True)
    response = client_for("officer_unrestricted").get(f"/officer/contacts/{contact.reference}")
    assert response.status_code == 403
    assert CONCERN not in response.get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "access_refused"))
    assert event.user_id == staff["officer_unrestricted"].id
    assert event.subject_id == contact.reference and event.detail["restricted"] is True
    assert client_for("officer").get(f"/officer/contacts/{contact.reference}").status_code == 200


def test_the_free_text_is_shown_with_mentions_highlighted_and_their_qualifiers(officer, session):
    contact = reviewable_contact(session)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert (
        '<mark>bruise</mark> <strong class="govuk-!-font-size-16">[Physical abuse]</strong>' in page
    )
    assert (
        '<mark>hit him</mark> <strong class="govuk-!-font-size-16">[Physical abuse, possible]</strong>'
        in page
    )


def test_the_free_text_is_escaped_even_around_highlights(officer, session):
    text = "<script>alert(1)</script> he has a bruise & <b>cut</b>"
    start = text.index("bruise")
    contact = reviewable_contact(
        session,
        concern_description=text,
        extraction={
            "mentions": [
                {"code": "physical_abuse", "start": start, "end": start + 6, "text": "bruise"}
            ]
        },
    )
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<b>cut</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; he has a <mark>bruise</mark>" in page


def test_the_referral_answers_and_the_raw_channel_text_are_shown(officer, session):
    contact = reviewable_contact(
        session, raw_text="From: sam@example.org\nSubject: worried\n\nJordan has a bruise"
    )
    service.record_answer(session, contact, "referrer_name", "sam p", "Sam P", "email")
    session.commit()
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert "Subject: worried<br>" in page
    assert "What is your name?" in page and "sam p" in page and "Sam P" in page
    assert "The referral as the referrer checked it" in page


def test_each_candidate_match_shows_the_fields_that_agreed_and_disagreed(officer, session):
    contact = reviewable_contact(session)
    match = person_match(session, contact)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    block = page[page.index(f'id="match-{match.id}"') :].split("</form>")[0]
    assert "Likely match, 97%" in block and "SC-1001" in block
    assert "First name</th>" in block and "Agrees" in block
    assert "Disagrees</strong> Smith / Smyth" in block
    assert "Confirm: same person" in block


def test_a_restricted_record_shows_only_that_one_exists_to_staff_without_access(
    client_for, session
):
    contact = reviewable_contact(session)
    person_match(session, contact, restricted=True, record_id="SEALED-77")
    page = client_for("officer_unrestricted").get(f"/officer/contacts/{contact.reference}")
    text = page.get_data(as_text=True)
    assert "A restricted record exists" in text
    assert "SEALED-77" not in text and "Smyth" not in text and "Confirm: same person" not in text
    allowed = client_for("officer").get(f"/officer/contacts/{contact.reference}")
    assert "SEALED-77" in allowed.get_data(as_text=True)


def test_the_reasons_for_the_provisional_rating_are_listed_with_their_evidence(officer, session):
    contact = reviewable_contact(session)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert "A child has an injury someone caused" in page
    assert "Words: “bruise”" in page


def test_a_restricted_record_in_a_reason_is_not_named_to_staff_without_access(client_for, session):
    contact = reviewable_contact(
        session,
        rating_reasons=[
            {
                "rule_id": "cp_plan",
                "description": "A child has a child protection plan",
                "evidence": {
                    "records": [{"record_id": "SEALED-9", "flags": ["cp_plan"], "restricted": True}]
                },
            }
        ],
    )
    page = client_for("officer_unrestricted").get(f"/officer/contacts/{contact.reference}")
    text = page.get_data(as_text=True)
    assert "SEALED-9" not in text and "A restricted record" in text
    # Nor what it holds, through the rule's own words.
    assert "child protection plan" not in text
    assert "Something on a restricted record changed the rating" in text
    allowed = client_for("officer").get(f"/officer/contacts/{contact.reference}")
    assert "A child has a child protection plan" in allowed.get_data(as_text=True)


def test_a_record_in_a_reason_is_named_as_its_source_names_it_with_its_flags_in_words(
    officer, session
):
    contact = reviewable_contact(session)
    match = person_match(session, contact, record_id="SC-1001")
    contact.rating_reasons = [
        {
            "rule_id": "cp_plan",
            "description": "A child has a child protection plan",
            "evidence": {
                "records": [
                    {
                        "record_id": str(match.person_record_id),
                        "flags": ["cp_plan", "open_case"],
                        "restricted": False,
                    }
                ]
            },
        }
    ]
    session.commit()
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert "social_care record SC-1001 (child protection plan, open case)" in page


def history(restricted_family_details: bool = False) -> dict:
    """As `workers.steps.find_history` writes it."""
    return {
        "contacts_12m": 3,
        "repeat_threshold": 3,
        "repeat_pattern": True,
        "earlier_contacts": [
            {
                "reference": "AAAA-BBBB",
                "submitted_at": "2026-03-01T10:00:00+00:00",
                "categories": ["neglect"],
                "rating": "green",
                "outcome": "early_help",
                "restricted": False,
            },
        ],
        "family": [
            {"person_record_id": 7, "restricted": False, "source": "police",
             "given_name": "Kelly", "family_name": "Smith", "flags": ["cp_plan"]},
            {"person_record_id": 8, "restricted": True},
        ],
    }  # fmt: skip


def test_earlier_contacts_family_and_repeats_are_shown_in_words(officer, session):
    contact = reviewable_contact(session, history=history())
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert 'href="/officer/contacts/AAAA-BBBB">AAAA-BBBB</a>' in page
    assert "1 March 2026" in page and "Neglect" in page and "Stepped across to Early Help" in page
    assert "Kelly" in page and "cp plan" in page
    assert "Contacts in the last 12 months (this one included)</dt>" in page
    assert "3 or more contacts in 12 months" in page
    # The worker keeps nothing but the existence of a restricted family record.
    assert "1 restricted record is not shown here." in page
    assert "Ask a colleague" not in page  # this officer has restricted access


def test_restricted_history_entries_are_held_back_from_staff_without_access(client_for, session):
    data = history()
    data["earlier_contacts"].append(
        {"reference": "SECRET-1", "submitted_at": None, "categories": [], "restricted": True}
    )
    contact = reviewable_contact(session, history=data)
    page = client_for("officer_unrestricted").get(f"/officer/contacts/{contact.reference}")
    text = page.get_data(as_text=True)
    assert "SECRET-1" not in text
    assert "Ask a colleague with access to restricted records" in text
    allowed = client_for("officer").get(f"/officer/contacts/{contact.reference}")
    assert "SECRET-1" in allowed.get_data(as_text=True)


def test_messages_to_the_referrer_are_listed_with_their_status_and_a_resend_button(
    officer, session
):
    contact = reviewable_contact(session)
    failed = outbound_message(session, contact, status="failed")
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    row = page[page.index(f'id="message-{failed.id}"') :].split("</tr>")[0]
    assert "Failed" in row and "550 mailbox unavailable" in row
    assert f"/messages/{failed.id}/resend" in row


def test_the_page_has_no_inline_script_or_style(officer, session):
    contact = reviewable_contact(session)
    person_match(session, contact)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert "style=" not in page
    assert "<script>" not in page and "<script " not in page.replace(
        '<script type="module" src=', ""
    )


def test_a_contact_processed_by_the_real_pipeline_shows_its_mentions_reasons_and_history(
    officer, session
):
    from tests.builders import create_contact
    from workers.pipeline import run_pipeline

    contact = create_contact(session)
    assert run_pipeline(session, contact.id) == "processed"
    session.commit()
    session.refresh(contact)
    response = officer.get(f"/officer/contacts/{contact.reference}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>" in page
    assert contact.rating_reasons
    assert str(escape(contact.rating_reasons[0]["description"])) in page
    assert "Contacts in the last 12 months (this one included)" in page


PDF = b"%PDF-1.7\n% the school's referral form about Jordan\n%%EOF"


def _with_attachment(session, app, **fields):
    contact = reviewable_contact(session, **fields)
    [stored] = store_attachments(
        session,
        app.extensions["frontdoor.settings"],
        contact,
        [RawAttachment("Jordan's form.pdf", "application/pdf", PDF)],
    ).stored
    session.commit()
    return contact, stored


def test_files_sent_with_a_referral_are_listed_and_download_decrypted_and_audited(
    officer, staff, session, app
):
    contact, stored = _with_attachment(session, app)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    link = f"/officer/contacts/{contact.reference}/attachments/{stored.id}"
    assert f'href="{link}" download>Download Jordan_s form.pdf</a>' in page
    assert f"(PDF, {len(PDF)} bytes)" in page

    response = officer.get(link)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Jordan_s form.pdf";'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment_downloaded"))
    assert event.user_id == staff["officer"].id
    assert (event.subject_id, event.detail) == (contact.reference, {"attachment": stored.id})


def test_a_file_is_only_given_with_its_own_contact(officer, session, app):
    _contact, stored = _with_attachment(session, app)
    other = reviewable_contact(session)
    response = officer.get(f"/officer/contacts/{other.reference}/attachments/{stored.id}")
    assert response.status_code == 404
    assert "That file is not on this contact" in response.get_data(as_text=True)


def test_a_restricted_contacts_files_are_refused_to_staff_without_access(client_for, session, app):
    contact, stored = _with_attachment(session, app, restricted=True)
    link = f"/officer/contacts/{contact.reference}/attachments/{stored.id}"
    response = client_for("officer_unrestricted").get(link)
    assert response.status_code == 403 and PDF not in response.data
    assert client_for("officer").get(link).data == PDF


def test_a_file_no_longer_stored_is_explained_not_an_error(officer, session, app):
    contact, stored = _with_attachment(session, app)
    file_path(app.extensions["frontdoor.settings"], stored).unlink()
    response = officer.get(f"/officer/contacts/{contact.reference}/attachments/{stored.id}")
    assert response.status_code == 410
    assert "Ask the referrer to send it again" in response.get_data(as_text=True)
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment_downloaded"))
        is None
    )


def test_a_contact_without_files_has_no_files_section(officer, session):
    contact = reviewable_contact(session)
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert 'id="attachments"' not in page


def test_a_contact_restricted_after_the_history_was_written_is_held_back_everywhere_in_it(
    client_for, session
):
    earlier = reviewable_contact(session, categories=["physical_abuse"])
    data = history()
    data["earlier_contacts"][0]["reference"] = earlier.reference
    data["categories_over_time"] = [
        {"reference": earlier.reference, "submitted_at": None, "categories": ["physical_abuse"]}
    ]
    contact = reviewable_contact(session, history=data)
    earlier.restricted = True  # restricted by a manager after the later contact was processed
    session.commit()

    text = client_for("officer_unrestricted").get(f"/officer/contacts/{contact.reference}")
    text = text.get_data(as_text=True)

    assert earlier.reference not in text
    assert text.count("Ask a colleague with access to restricted records") >= 2
    allowed = client_for("officer").get(f"/officer/contacts/{contact.reference}")
    assert earlier.reference in allowed.get_data(as_text=True)


def test_a_message_with_no_way_to_send_it_says_what_to_do_once(officer, session):
    contact = reviewable_contact(session)
    message = outbound_message(session, contact, status="no_transport")
    message.last_error = "not sent \N{EM DASH} no transport configured"
    session.commit()
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    row = page[page.index(f'id="message-{message.id}"') :].split("</tr>")[0]
    assert "ask an administrator, then resend" in row
    assert "no transport configured" not in row
