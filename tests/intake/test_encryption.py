import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy import text

from intake import crypto, partner_keys
from intake.db import Database
from intake.migrate import downgrade, upgrade
from intake.models import Attachment, Base, Contact, Conversation, User
from intake.review import accounts, decisions
from tests.builders import create_contact, referral_payload
from tests.conftest import PG_ADMIN_URL
from workers.context import get_context
from workers.runner import run_worker


def stored(session, contact_id, column="concern_description"):
    return session.execute(
        text(f"SELECT {column} FROM contacts WHERE id = :id"), {"id": contact_id}
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


def test_a_hub_that_starts_setting_keys_can_still_read_and_rotate_what_the_default_stored(
    session, app
):
    crypto.configure((), "the-secret-key")  # the embedded default: a key derived from it
    contact = create_contact(session)
    new_key = Fernet.generate_key().decode()
    crypto.configure((new_key,), "the-secret-key")
    session.expire_all()
    assert "bruise" in session.get(Contact, contact.id).concern_description
    assert crypto.rotate_all(session) > 5
    assert Fernet(new_key.encode()).decrypt(stored(session, contact.id).encode())


def test_a_key_that_is_not_a_fernet_key_is_named_as_the_problem():
    with pytest.raises(ValueError, match="FRONTDOOR_ENCRYPTION_KEYS holds something"):
        crypto.configure(("notakey",), "unused")


# --- A referral through the API and the worker leaves nothing readable in the database ---------

CONCERN = (
    "Jordan Smith (born 14th February 2016) told his teacher that mum's boyfriend grabbed him "
    "by the throat on Sunday and he is frightened of going home. Call me back on 07700 900123."
)
DOB_AS_WRITTEN = "14th February 2016"
NLP_QUOTED = "by the throat"
REFERRER_PHONE = ("07700 900123", "7700900123")
RATING_REASON = "The hold by the throat was described by a neighbour, not the child; see notes."
CONCERN_NEEDLES = (CONCERN[:60], "frightened of going home", DOB_AS_WRITTEN, NLP_QUOTED)

# The referrer's contact details stay clear so the hub can reply and call back (docs/operations.md).
REFERRER_COLUMNS = {
    ("contacts", c)
    for c in (
        "referrer_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_phone",
        "referrer_email",
        "origin_address",
    )
}


def every_value_as_text(database):
    """(table, column, value) for every non-NULL value of every table, cast to text by SQL."""
    inspector = sa.inspect(database.engine)
    with database.engine.connect() as conn:
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            select_list = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            for row in conn.execute(text(f'SELECT {select_list} FROM "{table}"')):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        yield table, column, value


def clear_traces(database, needles, allowed=frozenset()):
    return sorted(
        (table, column, needle)
        for table, column, value in every_value_as_text(database)
        for needle in needles
        if needle.lower() in value.lower() and (table, column) not in allowed
    )


@pytest.fixture
def hub_key(db):
    with db.transaction() as s:
        row, key = partner_keys.create(s, "hub-case-system")
        row.scopes = [*row.scopes, "review"]
    return key


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_processed_referral_leaves_nothing_the_referrer_wrote_readable_in_any_table(
    client, db, app, hub_key
):
    payload = referral_payload(
        concern={"description": CONCERN, "when": "Sunday", "how_known": "told_by_child"}
    )
    payload["referrer"]["phone"] = REFERRER_PHONE[0]
    payload["children"][0]["date_of_birth"] = "2016-02-14"
    payload["children"][0]["disability"] = "Autistic; struggles with loud voices"
    headers = {"Authorization": f"Bearer {hub_key}"}
    response = client.post("/api/v1/referrals", json=payload, headers=headers)
    assert response.status_code == 201, response.json

    from intake import extensions

    with app.app_context():
        connection = extensions.redis()
    run_worker(get_context(), connection, burst=True, fork=False, with_relay=False)

    totp_secret = pyotp.random_base32()
    with db.transaction() as s:
        officer = accounts.ensure_user(
            s, "o@mash.example.gov.uk", "officer", "correct horse", totp_secret=totp_secret
        )
        contact = s.scalar(
            sa.select(Contact).where(Contact.reference == response.json["reference"])
        )
        assert contact.status == "awaiting_review"
        changed_to = "amber" if contact.provisional_rating != "amber" else "red"
        actor = decisions.Actor(officer, None)
        assert decisions.set_rating(s, contact, actor, changed_to, RATING_REASON) == {}

    with db.session() as s:
        contact = s.scalar(
            sa.select(Contact).where(Contact.reference == response.json["reference"])
        )
        # What the needles stand for is really there, read through the models...
        quoted = json.dumps([contact.extraction, contact.rating_reasons])
        assert NLP_QUOTED in quoted and DOB_AS_WRITTEN in quoted
        assert REFERRER_PHONE[0] in json.dumps(contact.flow_state)
        assert contact.rating_change_reason == RATING_REASON
        assert s.get(User, officer.id).totp_secret == totp_secret

    # ...and nowhere in the stored rows, except the referrer's own contact details.
    assert clear_traces(db, (*CONCERN_NEEDLES, RATING_REASON[:40], totp_secret)) == []
    assert clear_traces(db, ("Struggles with loud voices",)) == []
    assert clear_traces(db, REFERRER_PHONE, allowed=REFERRER_COLUMNS) == []
    # The scan does find what it looks for where it is kept clear by design.
    assert ("contacts", "referrer_phone", "7700900123") in clear_traces(db, REFERRER_PHONE)


def test_a_totp_secret_is_not_readable_in_the_users_table(session):
    secret = pyotp.random_base32()
    user = accounts.ensure_user(
        session, "t@mash.example.gov.uk", "officer", "correct horse", totp_secret=secret
    )
    session.commit()
    raw = session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id})
    token = raw.scalar()
    assert secret not in token and crypto.decrypt(token) == secret
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret


def test_a_json_value_set_to_none_is_stored_as_null_and_read_back_as_none(session):
    contact = create_contact(session)
    contact.extraction = {"mentions": [{"text": "grabbed him"}]}
    session.commit()
    assert "grabbed" not in stored(session, contact.id, "extraction")
    contact.extraction = None
    session.commit()
    assert stored(session, contact.id, "extraction") is None
    session.expire_all()
    assert session.get(Contact, contact.id).extraction is None


def test_a_new_value_is_saved_even_after_the_loaded_value_was_changed_in_place(session, db):
    contact = create_contact(session)
    state = contact.flow_state
    state["answers"]["concern"] = "changed in place first"
    contact.flow_state = json.loads(json.dumps(state))
    session.commit()
    with db.session() as other:
        assert other.get(Contact, contact.id).flow_state["answers"]["concern"] == (
            "changed in place first"
        )


def test_rotation_covers_every_encrypted_json_and_text_column(session, app):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    crypto.configure((old_key,), "unused")
    contact = create_contact(session)
    contact.extraction = {"mentions": [{"text": "grabbed him"}]}
    contact.rating_reasons = [{"evidence": {"mentions": [{"text": "grabbed him"}]}}]
    contact.rating_change_reason = "a neighbour saw it"
    session.add(Conversation(channel="voice", address="CA1", contact_id=contact.id, state={"a": 1}))
    session.add(
        Attachment(
            contact_id=contact.id,
            filename="Jordan statement.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            storage_path="x",
        )
    )
    accounts.ensure_user(
        session,
        "r@mash.example.gov.uk",
        "officer",
        "correct horse",
        totp_secret=pyotp.random_base32(),
    )
    session.commit()

    crypto.configure((new_key, old_key), "unused")
    crypto.rotate_all(session, batch=2)
    crypto.configure((new_key,), "unused")

    only_new = Fernet(new_key.encode())
    rotated = set()
    for mapped in Base.metadata.sorted_tables:
        for column in crypto.encrypted_columns(mapped):
            for (token,) in session.execute(
                text(f'SELECT "{column}" FROM "{mapped.name}" WHERE "{column}" IS NOT NULL')
            ):
                only_new.decrypt(token.encode())  # raises if still under the old key
                rotated.add((mapped.name, column))
    assert {
        ("contacts", "flow_state"),
        ("contacts", "extraction"),
        ("contacts", "rating_reasons"),
        ("contacts", "rating_change_reason"),
        ("conversations", "state"),
        ("attachments", "filename"),
        ("users", "totp_secret"),
    } <= rotated
    session.expire_all()
    assert session.get(Contact, contact.id).extraction == {"mentions": [{"text": "grabbed him"}]}


# --- Migration 0004 encrypts an existing database in place, and its downgrade decrypts ---------


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield database
        database.dispose()
        return
    name = f"fd_migrate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


OLD_FLOW_STATE = {"answers": {"concern": "He grabbed Jordan by the throat", "dob": "14/02/2016"}}
OLD_EXTRACTION = {"mentions": [{"code": "strangulation", "text": "by the throat"}]}
OLD_REASONS = [{"rule_id": "strangulation", "evidence": {"mentions": [{"text": "by the throat"}]}}]
OLD_CALL_STATE = {"pending": {"raw": "sam dot patel at example dot org"}}
OLD_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def insert_rows_at_0003(database: Database) -> None:
    """Rows as the code before 0004 wrote them: JSON and text in the clear."""
    metadata = sa.MetaData()
    metadata.reflect(database.engine)
    tables = metadata.tables
    now = datetime.now(UTC)
    stamps = {"created_at": now, "updated_at": now}
    with database.engine.begin() as conn:
        conn.execute(
            tables["users"].insert(),
            dict(
                id=1,
                email="o@mash.example.gov.uk",
                name="",
                role="officer",
                password_hash="x",
                active=True,
                can_see_restricted=False,
                failed_logins=0,
                totp_secret=OLD_SECRET,
                **stamps,
            ),
        )
        contact = dict(
            channel="voice",
            status="awaiting_review",
            referrer_anonymous=False,
            home_concerns=[],
            categories=["physical_abuse"],
            risk_indicators=["strangulation"],
            restricted=False,
            **stamps,
        )
        conn.execute(
            tables["contacts"].insert(),
            [
                dict(
                    contact,
                    id=1,
                    reference="AAAAAAA",
                    flow_state=OLD_FLOW_STATE,
                    extraction=OLD_EXTRACTION,
                    rating_reasons=OLD_REASONS,
                    rating_change_reason="A neighbour saw it, not the child",
                ),
                # Not processed yet. The JSON type stored None as JSON null, not SQL NULL.
                dict(
                    contact,
                    id=2,
                    reference="BBBBBBB",
                    flow_state={},
                    extraction=None,
                    rating_reasons=[],
                    rating_change_reason=None,
                ),
            ],
        )
        conn.execute(
            tables["contact_people"].insert(),
            dict(id=1, contact_id=1, kind="child", position=0, given_name="Jordan",
                 disability="Autistic"),
        )  # fmt: skip
        conn.execute(
            tables["answers"].insert(),
            dict(id=1, contact_id=1, question_key="concern", channel="voice", source="referrer",
                 created_at=now),
        )  # fmt: skip
        conn.execute(
            tables["conversations"].insert(),
            dict(id=1, channel="voice", address="CA1", contact_id=1, state=OLD_CALL_STATE,
                 last_activity_at=now, **stamps),
        )  # fmt: skip
        conn.execute(
            tables["attachments"].insert(),
            dict(id=1, contact_id=1, filename="Jordan statement.pdf", content_type="x", size=1,
                 sha256="0" * 64, storage_path="x", created_at=now),
        )  # fmt: skip


def test_the_migration_encrypts_an_existing_database_and_the_downgrade_decrypts_it(
    empty_database,
):
    crypto.configure((Fernet.generate_key().decode(),), "unused")
    upgrade(empty_database, "0003_review")
    insert_rows_at_0003(empty_database)

    upgrade(empty_database)

    needles = ("by the throat", "14/02/2016", "sam dot patel", "A neighbour saw", "Autistic",
               "Jordan statement", OLD_SECRET)  # fmt: skip
    assert clear_traces(empty_database, needles) == []
    with empty_database.session() as s:
        contact = s.get(Contact, 1)
        assert contact.flow_state == OLD_FLOW_STATE
        assert contact.extraction == OLD_EXTRACTION
        assert contact.rating_reasons == OLD_REASONS
        assert contact.rating_change_reason == "A neighbour saw it, not the child"
        assert [p.disability for p in contact.people] == ["Autistic"]
        # Rebuilding tables (SQLite's batch mode) kept the rows that refer to the contact.
        assert len(contact.answers) == 1
        assert s.get(Conversation, 1).state == OLD_CALL_STATE
        assert s.get(Attachment, 1).filename == "Jordan statement.pdf"
        assert s.get(User, 1).totp_secret == OLD_SECRET
        unprocessed = s.get(Contact, 2)
        assert (unprocessed.extraction, unprocessed.rating_reasons) == (None, [])
    with empty_database.engine.connect() as conn:
        assert conn.execute(text("SELECT extraction FROM contacts WHERE id = 2")).scalar() is None

    downgrade(empty_database, "0003_review")

    with empty_database.engine.connect() as conn:
        flow_state, totp = conn.execute(
            text(
                "SELECT CAST(flow_state AS TEXT), totp_secret FROM contacts, users "
                "WHERE contacts.id = 1"
            )
        ).one()
    assert json.loads(flow_state) == OLD_FLOW_STATE and totp == OLD_SECRET
    assert {needle for _t, _c, needle in clear_traces(empty_database, needles)} == set(needles)


def test_frontdoor_db_upgrade_encrypts_with_the_keys_from_the_environment(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from intake.cli import main

    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(database, "0003_review")
    insert_rows_at_0003(database)
    configured_key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("FRONTDOOR_ENCRYPTION_KEYS", configured_key)
    monkeypatch.setenv("SECRET_KEY", "unused")
    monkeypatch.setenv("FRONTDOOR_INSTANCE_DIR", str(tmp_path / "instance"))
    # Whatever this process had configured before, the command uses the environment's keys.
    crypto.configure((Fernet.generate_key().decode(),), "unused")

    result = CliRunner().invoke(main, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with database.engine.connect() as conn:
        token = conn.execute(text("SELECT flow_state FROM contacts WHERE id = 1")).scalar()
    database.dispose()
    assert json.loads(Fernet(configured_key.encode()).decrypt(token.encode())) == OLD_FLOW_STATE


def test_the_migration_refuses_to_rebuild_sqlite_tables_while_foreign_keys_would_cascade(
    tmp_path,
):
    from alembic import command

    from intake.migrate import alembic_config

    crypto.configure((Fernet.generate_key().decode(),), "unused")
    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(database, "0003_review")
    insert_rows_at_0003(database)
    # Not through intake.migrate.upgrade: this connection keeps the app's foreign keys on.
    with database.engine.connect() as connection:
        cfg = alembic_config(database.url)
        cfg.attributes["connection"] = connection
        with pytest.raises(RuntimeError, match="foreign keys are on"):
            command.upgrade(cfg, "head")
        connection.rollback()
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar() == 1
    database.dispose()
