"""Self-registration of adults (issue 25 §1, calls open to individuals): a one-time code sent to the email or
mobile given, then the account, made only when the code is right. Flushes, never commits.

The first step answers the same for every address (a code goes to a used address too), so it tells no one which
addresses have accounts; only the owner of an address, with its code in hand, learns that it is taken. The users
table has no "verified" column: the verified channel is kept in the account's audit record ("sign_up")."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from accounts import notifications as notices
from accounts.models import User
from accounts.services import check_password_strength, create_user
from core import audit
from core.errors import DomainError

SIGNUP_PURPOSE = "accounts.signup"
ADULT_AGE = 18


def clean_contact(value: str, field: str = "contact") -> tuple[str, str]:
    """(channel, address) for the email or mobile typed: the platform's one email and one phone rule."""
    from notifications.services.addresses import clean_address

    return clean_address(value, field)


def start_signup(channel: str, address: str, language: str | None = None) -> bool:
    """Send a code to address (already cleaned); False when the hourly limit of codes for it is reached."""
    from notifications.services.addresses import Contact
    from notifications.services.codes import issue_code

    code = issue_code(SIGNUP_PURPOSE, address)
    if code is None:
        return False
    contact = Contact(
        email=address if channel == "email" else None, mobile=address if channel != "email" else None, language=language
    )
    notices.send_signup_code(contact, code)
    return True


def check_adult(birth_date: date | None, today: date) -> None:
    """Only adults register themselves: 18 or older on today's date (the installation's)."""
    from competitions.eligibility import age_on

    if birth_date is None or birth_date > today:
        raise DomainError(_l("Enter your birth date."), field="birth_date")
    if age_on(birth_date, today) < ADULT_AGE:
        raise DomainError(
            _l("Only adults (%(age)d or older) can register themselves. Ask your school or organiser.", age=ADULT_AGE),
            field="birth_date",
        )


def complete_signup(
    address: str, code: str, *, name: str, password: str, birth_date: date | None, today: date | None = None
) -> User | None:
    """The new account for a right code, else None (the wrong guess is counted: the caller commits it).

    Details are checked before the code is spent; a used address is refused after it (the caller rolls back, so
    nothing is made and the code stays live for the owner to log in instead)."""
    from core.i18n import local_today
    from notifications.services.codes import redeem_code

    channel = "email" if "@" in address else "sms"
    email, mobile = (address, None) if channel == "email" else (None, address)
    if not (name or "").strip():
        raise DomainError(_l("Enter your name."), field="name")
    check_adult(birth_date, today or local_today())
    check_password_strength(password, email=email, mobile=mobile)
    if not redeem_code(SIGNUP_PURPOSE, address, code):
        return None
    user = create_user(name=name, password=password, email=email, mobile=mobile, actor=None)
    audit.record("sign_up", user, after={"verified": channel}, actor=user)
    return user
