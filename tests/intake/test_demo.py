import pyotp
from sqlalchemy import select

from intake.demo import DEMO_OFFICERS, DEMO_TOTP_SECRET, seed
from intake.models import User


def test_the_demo_seed_makes_logins_that_can_sign_in_and_is_safe_to_rerun(db, client):
    seed(db)
    seed(db)
    with db.session() as s:
        assert len(s.scalars(select(User)).all()) == len(DEMO_OFFICERS)
    officer = DEMO_OFFICERS[0]
    page = client.get("/officer/sign-in")
    assert page.status_code == 200
    assert pyotp.TOTP(DEMO_TOTP_SECRET).now().isdigit()
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == officer.email))
        assert user.totp_secret == DEMO_TOTP_SECRET and user.role == "officer"
