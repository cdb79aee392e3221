"""The `frontdoor` commands, run as an operator would, against the test database."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from intake.cli import main

RECORDS = """record_id,source,given_name,family_name,date_of_birth,sex,address,postcode,shoe_size
P1,police,Jordan,Smith,2015-04-03,male,10 High Street,LS1 4AP,4
P2,police,Amy,Smith,not-a-date,female,10 High Street,LS1 4AP,2
"""
QUERY = """record_id,source,given_name,family_name,date_of_birth,sex,address,postcode
Q1,notifications,Jordon,Smith,2015-04-03,male,10 High St,LS1 4AP
"""


@pytest.fixture
def cli(settings_overrides, app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings_overrides["database_url"])
    monkeypatch.setenv("SECRET_KEY", settings_overrides["secret_key"])
    monkeypatch.setenv("FRONTDOOR_INSTANCE_DIR", str(settings_overrides["instance_dir"]))
    return CliRunner()


def test_records_import_loads_refuses_with_line_numbers_and_is_idempotent(cli, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(RECORDS)
    first = cli.invoke(main, ["records", "import", str(path), "--source", "police"])
    assert first.exit_code == 0, first.output
    assert "1 loaded" in first.output and "1 refused" in first.output and "line 3" in first.output
    again = cli.invoke(main, ["records", "import", str(path), "--source", "police"])
    assert "0 loaded" in again.output and "1 unchanged" in again.output


def test_link_writes_the_design_csv_best_first(cli, tmp_path):
    (tmp_path / "index.csv").write_text(RECORDS)
    (tmp_path / "query.csv").write_text(QUERY)
    result = cli.invoke(
        main,
        ["link", "--index", str(tmp_path / "index.csv"), "--query", str(tmp_path / "query.csv")],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "query_id,record_id,score"
    assert lines[1].startswith("Q1,P1,")


def test_nlp_extract_reads_and_writes_jsonl(cli):
    result = cli.invoke(
        main,
        ["nlp", "extract"],
        input=json.dumps({"id": "a", "text": "dad hit him with a belt"}) + "\n",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.splitlines()[0])
    assert out["id"] == "a" and "physical_abuse" in out["categories"]


def test_partner_keys_are_created_once_and_revoked(cli):
    created = cli.invoke(main, ["keys", "create", "police"])
    assert created.exit_code == 0 and created.stdout.startswith("fdk_")
    assert cli.invoke(main, ["keys", "create", "police"]).exit_code != 0
    assert cli.invoke(main, ["keys", "revoke", "police"]).exit_code == 0
    assert cli.invoke(main, ["keys", "revoke", "police"]).exit_code != 0


def test_only_a_key_made_for_the_mail_gateway_may_post_raw_email(cli, session):
    from intake.models import PartnerKey

    assert cli.invoke(main, ["keys", "create", "gp-practice"]).exit_code == 0
    assert cli.invoke(main, ["keys", "create", "mail", "--scope", "email"]).exit_code == 0
    assert cli.invoke(main, ["keys", "create", "x", "--scope", "everything"]).exit_code != 0
    scopes = {k.name: k.scopes for k in session.scalars(select(PartnerKey))}
    assert scopes == {"gp-practice": ["referrals"], "mail": ["referrals", "email"]}


def test_users_are_created_with_a_password_from_the_environment(cli, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_PASSWORD", "a-long-enough-password")
    result = cli.invoke(main, ["users", "create", "duty@hub.example", "--role", "manager"])
    assert result.exit_code == 0 and "created manager" in result.output
    monkeypatch.setenv("FRONTDOOR_PASSWORD", "short")
    assert cli.invoke(main, ["users", "create", "x@hub.example"]).exit_code != 0


def test_encryption_rotate_rewrites_text_and_attachments_under_the_new_key(
    cli, app, session, settings_overrides, monkeypatch
):
    from cryptography.fernet import Fernet

    from channels.email.attachments import file_path, store_attachments
    from channels.email.parse import RawAttachment
    from intake import crypto, service

    settings = app.extensions["frontdoor.settings"]
    monkeypatch.setattr(crypto, "_cipher", crypto._cipher)  # put back after the test
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    crypto.configure((old_key,), "unused")
    contact = service.new_contact(session, "email", origin_address="sam@riverside.sch.uk")
    session.flush()
    pdf = b"%PDF-1.7\n% a referral form\n%%EOF"
    [stored] = store_attachments(
        session, settings, contact, [RawAttachment("form.pdf", "application/pdf", pdf)]
    ).stored
    session.commit()

    monkeypatch.setenv("FRONTDOOR_ENCRYPTION_KEYS", f"{new_key},{old_key}")
    result = cli.invoke(main, ["encryption", "rotate"])
    assert result.exit_code == 0, result.output
    assert (
        "and 1 attachments" in result.output and "the old keys can now be removed" in result.output
    )
    assert Fernet(new_key.encode()).decrypt(file_path(settings, stored).read_bytes()) == pdf

    file_path(settings, stored).unlink()
    again = cli.invoke(main, ["encryption", "rotate"])
    assert again.exit_code == 1
    assert f"attachment {stored.id} could not be re-encrypted: missing" in again.output


def test_staff_accounts_and_keys_need_real_names(cli, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_PASSWORD", "a-long-enough-password")
    assert cli.invoke(main, ["users", "create", "notanemail", "--role", "admin"]).exit_code != 0
    assert cli.invoke(main, ["users", "create", ""]).exit_code != 0
    assert cli.invoke(main, ["users", "create", "duty@mash.local"]).exit_code == 0
    assert cli.invoke(main, ["keys", "create", "  "]).exit_code != 0
    assert cli.invoke(main, ["keys", "create", " wyp "]).exit_code == 0
    assert cli.invoke(main, ["keys", "create", "wyp"]).exit_code != 0, "the same name, trimmed"


def test_nlp_extract_reads_a_line_that_starts_with_a_bom(cli):
    line = '\ufeff{"id": "a", "text": "He has a bruise on his arm."}\n'
    result = cli.invoke(main, ["nlp", "extract"], input=line)
    assert result.exit_code == 0, result.output
    assert '"id": "a"' in result.stdout and "error" not in result.stdout


def test_demo_logins_are_not_made_on_a_configured_database_unless_asked(cli, session):
    from intake.models import User

    refused = cli.invoke(main, ["demo", "seed"])  # DATABASE_URL is set, as in production
    assert refused.exit_code != 0 and "published passwords" in refused.output
    assert session.scalars(select(User)).all() == []
    assert cli.invoke(main, ["demo", "seed", "--not-live"]).exit_code == 0
    session.expire_all()
    assert session.scalars(select(User)).all() != []


def test_link_lists_each_refused_or_odd_line_with_its_reason(cli, tmp_path):
    (tmp_path / "index.csv").write_text(RECORDS)
    header = QUERY.splitlines()[0]
    query = f"{header}\nQ1,police,Jordan,Smith,2015-02-30,M,,\nQ1,police,Jordan,Smith,,M,,\n"
    (tmp_path / "query.csv").write_text(query)
    result = cli.invoke(
        main,
        ["link", "--index", str(tmp_path / "index.csv"), "--query", str(tmp_path / "query.csv")],
    )
    assert result.exit_code == 0, result.output
    assert "query line 3: record_id repeats the row on line 2" in result.stderr
    assert "query line 2: date of birth not a real date; matched on its digits" in result.stderr


def test_rotate_without_configured_keys_says_how_to_start(cli, monkeypatch):
    monkeypatch.delenv("FRONTDOOR_ENCRYPTION_KEYS", raising=False)
    result = cli.invoke(main, ["encryption", "rotate"])
    assert result.exit_code != 0
    assert "FRONTDOOR_ENCRYPTION_KEYS is not set" in result.output
    assert "can now be removed" not in result.output
