"""Who may enter the room and under which system account (pure functions, no Jupyter).

A trainee's system account is derived from their name: ``t-`` and 10 hex digits of the name's
SHA-256, so a Chinese name gives a safe ASCII username and the same person gets the same home
folder whenever they come back. Instructors have ASCII account names and a password stored only
as a salted PBKDF2 hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from ..exercises.progress import check_trainee_name

TRAINEE_PREFIX = "t-"
HASH_DIGITS = 10
CODE_DIGITS = 6
_CODE = re.compile(r"^[A-Za-z0-9]{4,20}$")
_ACCOUNT = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_PBKDF2_ROUNDS = 200_000
#: the comment (GECOS) of every system account the room creates
ACCOUNT_COMMENT = "cqvol-sim room"


class RoomInputError(ValueError):
    """Something typed at the login page or on the command line that cannot be used (Chinese)."""


def trainee_name(text) -> str:
    """The trainee's name as typed, normalised as the roster and the progress store keep it (“张　三”
    is 张三: spaces between Chinese characters dropped); RoomInputError (Chinese) if empty or odd."""
    from ..app.roster import clean_text

    try:
        checked = check_trainee_name(text if text is not None else "")
        return check_trainee_name(clean_text(checked))
    except ValueError as exc:
        raise RoomInputError(str(exc)) from None


def trainee_username(name: str) -> str:
    """The system (and JupyterHub) username of the trainee called ``name`` (already normalised)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return TRAINEE_PREFIX + digest[:HASH_DIGITS]


def is_trainee_username(username: str) -> bool:
    """Whether ``username`` has the form of a trainee's account."""
    return bool(re.fullmatch(rf"{TRAINEE_PREFIX}[0-9a-f]{{{HASH_DIGITS}}}", username or ""))


def new_class_code() -> str:
    """A fresh class code to write on the board (six digits, easy to type on any keyboard)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def check_class_code(text: str) -> str:
    """A class code given on the command line, checked; RoomInputError (Chinese) if unusable."""
    code = normal_code(text)
    if not _CODE.match(code):
        raise RoomInputError("班级口令应是 4 到 20 个英文字母或数字，例如 382915。")
    return code


def normal_code(text) -> str:
    """A typed class code as compared: full-width digits made plain, spaces dropped, lower case."""
    if not isinstance(text, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def code_matches(typed, code: str) -> bool:
    """Whether the typed class code is ``code`` (constant-time comparison)."""
    return hmac.compare_digest(normal_code(typed).encode(), normal_code(code).encode())


def check_account(text: str) -> str:
    """An instructor's account name, checked; RoomInputError (Chinese) if unusable."""
    account = (text or "").strip()
    if not _ACCOUNT.match(account):
        raise RoomInputError(f"培训老师的账号“{account[:30]}”不能用：请用 2 到 31 个小写英文字母、数字或下划线，"
                             "以字母开头，例如 teacher 或 wang_laoshi。")
    return account


def foreign_account(username: str) -> bool:
    """Whether ``username`` is a system account the room did not create (e.g. root): never log in as it."""
    import pwd

    try:
        entry = pwd.getpwnam(username)
    except KeyError:
        return False
    return entry.pw_gecos != ACCOUNT_COMMENT


def new_password() -> str:
    """A fresh instructor password (10 characters, no look-alike letters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def hash_password(password: str, *, salt: str | None = None) -> str:
    """``pbkdf2_sha256$rounds$salt$hex`` of ``password``."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode(), _PBKDF2_ROUNDS).hex()
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt}${digest}"


def password_matches(password, stored: str) -> bool:
    """Whether ``password`` is the one whose hash is ``stored`` (False for anything malformed)."""
    try:
        kind, rounds, salt, digest = stored.split("$")
        if kind != "pbkdf2_sha256" or not isinstance(password, str):
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode(), int(rounds)).hex()
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(got, digest)
