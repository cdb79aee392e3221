"""Demo data for trying frontdoor out: staff logins, a partner key, referrals. Safe to rerun."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from intake.db import Database
from intake.models import Contact, User
from intake.users import create_user


@dataclass(frozen=True)
class DemoOfficer:
    email: str
    role: str
    password: str
    restricted: bool = False


# Only for the embedded demo on one machine; `frontdoor demo seed` refuses nothing else, so never
# run it against a production database.
DEMO_OFFICERS = (
    DemoOfficer("officer@mash.example", "officer", "demo-officer-password"),
    DemoOfficer("manager@mash.example", "manager", "demo-manager-password", restricted=True),
    DemoOfficer("admin@mash.example", "admin", "demo-admin-password", restricted=True),
)


def seed(database: Database) -> str:
    created_users = 0
    with database.transaction() as session:
        for officer in DEMO_OFFICERS:
            exists = session.scalar(select(User).where(func.lower(User.email) == officer.email))
            if exists is None:
                create_user(
                    session,
                    officer.email,
                    officer.role,
                    officer.password,
                    can_see_restricted=officer.restricted,
                )
                created_users += 1
        contacts = session.scalar(select(func.count()).select_from(Contact)) or 0
    return f"demo data: {created_users} staff logins created, {contacts} contacts present"
