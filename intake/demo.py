"""Demo data for trying frontdoor out: staff logins, a partner key, referrals. Safe to rerun."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from intake.db import Database
from intake.models import Contact


@dataclass(frozen=True)
class DemoOfficer:
    email: str
    role: str
    password: str
    restricted: bool = False


# Only for the embedded demo on one machine: known passwords and a known second-factor secret,
# so whoever runs `make run` can sign in. Never seed a production database.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only, printed by make run
DEMO_OFFICERS = (
    DemoOfficer("officer@mash.example", "officer", "demo-officer-password"),
    DemoOfficer("manager@mash.example", "manager", "demo-manager-password", restricted=True),
    DemoOfficer("admin@mash.example", "admin", "demo-admin-password", restricted=True),
)


def seed(database: Database) -> str:
    from intake.review.accounts import ensure_user

    with database.transaction() as session:
        for officer in DEMO_OFFICERS:
            ensure_user(
                session,
                officer.email,
                officer.role,
                officer.password,
                totp_secret=DEMO_TOTP_SECRET,
                can_see_restricted=officer.restricted,
            )
        contacts = session.scalar(select(func.count()).select_from(Contact)) or 0
    return f"demo data: {len(DEMO_OFFICERS)} staff logins ready, {contacts} contacts present"
