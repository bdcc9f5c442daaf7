"""The password policy, checked when a password is set (an invitation accepted, a password
changed or reset, `wfm users create` / `set-password`) and never at login: at least
`MIN_PASSWORD_LENGTH` characters and at most what bcrypt hashes whole, not one of the 30,000
most common passwords (the list zxcvbn ships), not the user's e-mail address."""

from __future__ import annotations

import functools

from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.security import BCRYPT_MAX_BYTES

MIN_PASSWORD_LENGTH = 12


@functools.cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of common passwords (lower case), read once: when a password is first
    set, not at every process start (importing the lists takes ~80 ms)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(str(word) for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None) -> str | None:
    """Why the policy refuses `password` for the user with `email`, or None."""
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        return f"must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    folded = password.strip().lower()
    if folded in common_passwords():
        return "is one of the most common passwords"
    if email is not None:
        address = email.strip().lower()
        if folded in {address, address.partition("@")[0]}:
            return "must not be your e-mail address"
    return None


def password_problems(
    password: str, *, email: str | None, field: str = "password"
) -> list[FieldError]:
    """The refusal as a field error on `field` (empty when the password is accepted)."""
    problem = password_problem(password, email=email)
    return [FieldError((field,), problem)] if problem else []


def check_new_password(password: str, *, email: str | None, field: str = "password") -> None:
    """Raise VALIDATION_FAILED naming `field` and the reason, unless the policy accepts it."""
    problems = password_problems(password, email=email, field=field)
    if problems:
        raise ValidationFailed("the password is refused", problems)
