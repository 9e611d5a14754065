"""Which new passwords are refused: too short or long, among the most common
ones, or built from the person's own email address (ASVS 6.2.4 and 6.2.11).

The common list is not kept in this repository: it is the password frequency
list that the ``zxcvbn`` package ships (the 30,000 most common passwords from
the Xato corpus of leaked passwords), loaded at first use and kept in memory.
"""

from functools import lru_cache

from .accounts import password_problem as length_problem

COMMON_PASSWORD = (
    "This is one of the most common passwords, so it is among the first that attackers try. "
    "Choose another: a few unrelated words work well."
)
CONTAINS_EMAIL = "Your password must not contain your email address or its name part."
# A local part shorter than this ("a@", "jo@") is too short to be a guess worth refusing inside a longer password.
LOCAL_PART_MIN = 3


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common passwords, lower case (zxcvbn's list is)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    candidate = password.strip().lower()
    return candidate in common_passwords()


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is unacceptable, or None. No composition rules."""
    problem = length_problem(password)
    if problem:
        return problem
    if is_common(password):
        return COMMON_PASSWORD
    if email:
        lowered = password.lower()
        email = email.strip().lower()
        local = email.split("@", 1)[0]
        if lowered.strip() in (email, local) or (len(local) >= LOCAL_PART_MIN and local in lowered):
            return CONTAINS_EMAIL
    return None
