from cryptography.fernet import Fernet
from sqlalchemy import text

from intake import crypto
from intake.models import Contact
from tests.builders import create_contact


def stored(session, contact_id):
    return session.execute(
        text("SELECT concern_description FROM contacts WHERE id = :id"), {"id": contact_id}
    ).scalar()


def test_free_text_is_never_stored_in_the_clear(session):
    contact = create_contact(session)
    raw = stored(session, contact.id)
    assert "bruise" not in raw and "Jordan" not in raw
    assert "bruise" in session.get(Contact, contact.id).concern_description


def test_rotation_re_encrypts_under_the_new_key_so_the_old_one_can_go(session, app):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    crypto.configure((old_key,), "unused")
    contact = create_contact(session)
    crypto.configure((new_key, old_key), "unused")
    assert crypto.rotate_all(session) > 5
    crypto.configure((new_key,), "unused")
    session.expire_all()
    assert "bruise" in session.get(Contact, contact.id).concern_description
    assert Fernet(new_key.encode()).decrypt(stored(session, contact.id).encode())
