import pytest
from sqlalchemy import select

from intake.config import load_settings
from intake.models import MessageTemplate
from intake.review.vocabulary import OUTCOME_LABELS
from tests.feedback_support import CHILD_DETAILS, contact_with_child_details
from workers.feedback import templates
from workers.feedback.templates import GSM_CHARACTERS, TemplateError, TemplateKey

SETTINGS = load_settings({"secret_key": "x", "duty_phone_number": "0113 496 0000"})
KEYS = templates.template_keys()


def test_there_is_wording_for_every_outcome_and_audience_and_none_for_anonymous_referrers():
    assert len(KEYS) == len(set(KEYS)) == 8 + 2 * len(OUTCOME_LABELS) + 6
    for outcome in OUTCOME_LABELS:
        assert f"outcome.{outcome}.professional.sms" in KEYS
        assert f"outcome.{outcome}.professional.email" in KEYS
    assert "outcome.general.family.sms" in KEYS and "acknowledgement.self.email" in KEYS
    assert not [key for key in KEYS if "anonymous" in key]
    assert not [key for key in KEYS if key.startswith("outcome.nfa.") and "professional" not in key]


@pytest.mark.parametrize("key", KEYS)
def test_every_default_wording_would_pass_the_checks_an_admins_edit_must_pass(key):
    parsed = TemplateKey.parse(key)
    default = templates.default_wording(parsed)
    assert templates.validate(parsed, default.subject, default.body) == {}


def test_no_message_carries_the_childs_name_birth_date_address_or_the_concern(session):
    contact = contact_with_child_details()
    for key in KEYS:
        wording = templates.render(session, key, contact, SETTINGS)
        text = f"{wording.subject or ''}\n{wording.body}"
        assert contact.reference in text, key
        for detail in CHILD_DETAILS:
            assert detail not in text, f"{key} contains {detail!r}"
        assert "Sam Patel" not in text, "emails carry only the reference and the outcome wording"
        assert "((" not in text, f"{key}: every placeholder is filled"


def test_text_messages_use_the_plain_alphabet_and_fit_in_two_parts(session):
    for key in [k for k in KEYS if k.endswith(".sms")]:
        body = templates.render(session, key, contact_with_child_details(), SETTINGS).body
        assert set(body) <= GSM_CHARACTERS, key
        assert len(body) <= 306, f"{key} is {len(body)} characters"


def test_professionals_are_told_the_outcome_and_who_to_contact(session):
    for outcome, label in OUTCOME_LABELS.items():
        contact = contact_with_child_details(outcome=outcome)
        for transport in ("sms", "email"):
            key = f"outcome.{outcome}.professional.{transport}"
            body = templates.render(session, key, contact, SETTINGS).body
            assert label in body, key
            assert "call the MASH on 0113 496 0000" in body, key


def test_families_the_public_and_young_people_are_never_told_what_was_decided(session):
    for key in [k for k in KEYS if k.startswith("outcome.general.")]:
        for outcome, label in OUTCOME_LABELS.items():
            contact = contact_with_child_details(outcome=outcome)
            body = templates.render(session, key, contact, SETTINGS).body
            assert label not in body, f"{key} names the outcome {outcome}"
            assert "looked at" in body, key


def test_a_young_person_referring_themself_is_pointed_to_childline():
    for purpose in ("acknowledgement.self", "outcome.general.self"):
        for transport in ("sms", "email"):
            assert (
                "0800 1111"
                in templates.default_wording(TemplateKey.parse(f"{purpose}.{transport}")).body
            )


def test_without_a_duty_number_people_are_told_to_contact_the_mash(session):
    settings = load_settings({"secret_key": "x", "duty_phone_number": ""})
    body = templates.render(
        session, "acknowledgement.professional.sms", contact_with_child_details(), settings
    ).body
    assert "Questions: contact the MASH, quoting the reference." in body


def test_an_admins_wording_replaces_the_default_and_can_be_reset(session):
    key = "acknowledgement.public.email"
    saved = templates.save_template(
        session, key, "Got it: ((reference))", "Thanks. Your reference is ((reference)).", None
    )
    assert saved.customised and saved.default.body != saved.body
    assert session.scalar(select(MessageTemplate.key)) == key
    wording = templates.render(session, key, contact_with_child_details(), SETTINGS)
    assert (wording.subject, wording.body) == (
        "Got it: ABCD-EFGH",
        "Thanks. Your reference is ABCD-EFGH.",
    )
    reset = templates.reset_template(session, key)
    assert not reset.customised and reset.body == reset.default.body


def test_a_saved_text_message_has_no_subject(session):
    saved = templates.save_template(
        session, "acknowledgement.family.sms", "ignored", "Ref ((reference)).", None
    )
    assert saved.subject is None


@pytest.mark.parametrize(
    ("key", "subject", "body", "field", "says"),
    [
        (
            "acknowledgement.public.email",
            "Hi",
            "About ((child_name)) ((reference))",
            "body",
            "((child_name)) is not something we can fill in",
        ),
        (
            "outcome.general.family.sms",
            None,
            "Ref ((reference)): ((outcome))",
            "body",
            "Only messages to professionals can say what was decided",
        ),
        (
            "acknowledgement.public.email",
            "Hi ((outcome))",
            "Ref ((reference))",
            "subject",
            "Only messages to professionals",
        ),
        (
            "acknowledgement.family.sms",
            None,
            "Thanks for telling us.",
            "body",
            "Include ((reference))",
        ),
        (
            "acknowledgement.family.sms",
            None,
            "We\u2019ve got it: ((reference))",
            "body",
            "Use plain characters",
        ),
        (
            "acknowledgement.family.sms",
            None,
            "x" * 700 + "((reference))",
            "body",
            "612 characters or fewer",
        ),
        (
            "acknowledgement.public.email",
            "",
            "Ref ((reference))",
            "subject",
            "Enter a subject line",
        ),
        ("acknowledgement.public.email", "Hi", "   ", "body", "Enter the message"),
        (
            "acknowledgement.public.email",
            "Referral ((reference))\r\nBcc: someone@elsewhere.example",
            "Ref ((reference))",
            "subject",
            "The subject must be one line",
        ),
    ],
)
def test_wording_that_could_mislead_or_leak_is_refused_with_a_reason_per_field(
    key, subject, body, field, says
):
    errors = templates.validate(TemplateKey.parse(key), subject or None, body.strip())
    assert says in errors[field]


def test_refused_wording_is_not_saved(session):
    with pytest.raises(TemplateError) as refused:
        templates.save_template(
            session, "outcome.general.public.email", "Ref ((reference))", "((outcome))", None
        )
    assert set(refused.value.errors) == {"body"}
    assert session.scalar(select(MessageTemplate)) is None


def test_an_outcome_placeholder_is_allowed_for_professionals(session):
    saved = templates.save_template(
        session, "outcome.police.professional.sms", None, "((reference)): ((outcome))", None
    )
    assert templates.render(
        session, saved.key, contact_with_child_details(outcome="police"), SETTINGS
    ).body == ("ABCD-EFGH: Passed to police")


def test_an_unknown_key_is_refused():
    with pytest.raises(KeyError):
        TemplateKey.parse("outcome.nfa.anonymous.sms")


def test_the_preview_fills_in_sample_values_for_an_admin():
    preview = templates.preview(
        "outcome.early_help.professional.email", "Ref ((reference))", "((outcome)). ((contact_us))."
    )
    assert preview.subject == "Ref ABCD-EFGH"
    assert preview.body.startswith("Stepped across to Early Help. call the MASH")


def test_every_key_has_a_label_an_admin_can_read():
    labels = [TemplateKey.parse(key).label for key in KEYS]
    assert "Outcome: No further action, to a professional, by text message" in labels
    assert "Acknowledgement, to a young person referring themself, by email" in labels
    assert len(set(labels)) == len(labels)
