"""What the sender wrote now, apart from their signature, footers and the quoted thread."""

from __future__ import annotations

from channels.email.reply_text import split_body

SIGNATURE = """Kind regards,

Sam Patel
Designated Safeguarding Lead
Riverside Primary School
Tel: 0113 496 0123"""


def test_the_signature_and_a_confidentiality_footer_are_split_from_the_new_text():
    body = split_body(
        "Jordan came in with a bruise.\n\n"
        f"{SIGNATURE}\n\n"
        "This email and any attachments are confidential and intended solely for the addressee.\n"
        "If you have received this email in error please delete it.\n"
    )
    assert body.new_text == "Jordan came in with a bruise."
    assert body.signature.splitlines()[0] == "Sam Patel"
    assert "confidential" not in body.signature


def test_a_dash_dash_signature_and_sent_from_my_phone_are_dropped():
    body = split_body("He said he is scared.\nSent from my iPhone\n-- \nSam Patel\nDSL")
    assert body.new_text == "He said he is scared."
    assert body.signature == "Sam Patel\nDSL"


def test_thanks_that_starts_a_paragraph_is_not_taken_for_a_sign_off():
    text = "Thanks\n" + "for looking at this so quickly, I know you are very busy this week. " * 3
    assert split_body(text).new_text == text.strip()


def test_a_gmail_quoted_reply_is_dropped():
    body = split_body(
        "1. No\n2. Class teacher\n\nOn Mon, 3 Jun 2024 at 10:00, MASH\n<mash@frontdoor.test> wrote:\n"
        "> 1. Is a child in immediate danger right now?\n> 2. What is your role?\n"
    )
    assert body.new_text == "1. No\n2. Class teacher"


def test_an_outlook_reply_header_block_and_everything_below_is_dropped():
    body = split_body(
        "No, not in danger now.\n\n________________________________\n"
        "From: MASH <mash@frontdoor.test>\nSent: 03 June 2024 10:00\nTo: Sam Patel\n"
        "Subject: Referral ABCD-EFGH\n\n1. Is a child in immediate danger right now?\n"
    )
    assert body.new_text == "No, not in danger now."


def test_answers_written_between_quoted_questions_are_kept_for_reading_inline():
    body = split_body(
        "> 1. Is a child in immediate danger right now?\nNo\n> 2. What is your role?\nDSL\n\nSam\n"
    )
    assert "> 1. Is a child in immediate danger right now?\nNo" in body.inline_text
    assert body.new_text == "No\nDSL\n\nSam"


def test_answers_typed_among_the_questions_under_an_attribution_line_are_kept():
    body = split_body(
        "Answers below.\n\nOn Sun, 6 Dec 2026 at 22:54, MASH\n<mash@frontdoor.test> wrote:\n"
        "> 1. Is a child in immediate danger right now?\nNo\n"
        "> 2. What is your role?\nDesignated Safeguarding Lead\n"
    )
    assert "> 2. What is your role?\nDesignated Safeguarding Lead" in body.inline_text
    assert "wrote:" not in body.inline_text
    assert body.new_text == "Answers below.\n\nNo\nDesignated Safeguarding Lead"


def test_a_signature_with_no_sign_off_is_known_by_the_senders_name():
    text = "1. No\n2. None\n\nPriya Sharma\nDesignated Safeguarding Lead\nRiverside Primary"
    body = split_body(text, sender_name="Priya Sharma")
    assert body.new_text == "1. No\n2. None"
    assert body.signature == "Priya Sharma\nDesignated Safeguarding Lead\nRiverside Primary"
    assert split_body("5. dunno\n\nSara", sender_name="Sara Jones").new_text == "5. dunno"


def test_a_last_paragraph_not_starting_with_the_senders_name_is_kept():
    text = "5. Other agencies:\n\nSocial Care\nSchool nurse"
    assert split_body(text, sender_name="Priya Sharma").new_text == text
    assert split_body("Priya Sharma told me", sender_name="Priya Sharma").new_text == (
        "Priya Sharma told me"
    )


def test_a_forwarded_message_is_kept_as_the_referral_without_its_headers():
    body = split_body(
        "Please see below.\n\nThanks\nSam\n\n"
        "From: Tina Teacher <tina@riverside.sch.uk>\nSent: 03 June 2024 08:55\nTo: Sam\n"
        "Subject: Jordan\n\nJordan said his mum's boyfriend hit him.\n",
        forwarded=True,
    )
    assert body.new_text == "Please see below.\n\nJordan said his mum's boyfriend hit him."
    assert body.signature == "Sam"


def test_the_same_outlook_block_in_a_reply_that_is_not_a_forward_is_history():
    body = split_body(
        "Thanks\nSam\n\nFrom: Tina <tina@x>\nSent: 03 June 2024\n\nOld text\n", forwarded=False
    )
    assert body.new_text == ""


def test_an_external_sender_banner_at_the_top_is_dropped():
    body = split_body(
        "CAUTION: This email originated from outside of the organisation. Do not click links.\n\n"
        "Jordan has not been in school all week."
    )
    assert body.new_text == "Jordan has not been in school all week."
