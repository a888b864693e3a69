"""The room's login: a trainee types their name and the class code; an instructor, account and password.

One form with the two usual fields (``username``, ``password``): an instructor's account name
followed by its password logs in as that instructor (group ``instructors``); anything else is a
trainee's name followed by the class code on the board. With a roster the login page offers the
roster's names, and ``roster_only`` refuses a name that is not on it. Every refusal is a Chinese
sentence shown on the login page. Each person gets their own system account (``names``).

The trainee's name (and roster unit and class) travels in the hub's encrypted ``auth_state``; before
their server starts, ``pre_spawn_start`` gives it to the server (``$CQVOL_TRAINEE``, fixed) and opens
培训首页 with it. This works the same in a room (``LocalProcessSpawner``) and on Kubernetes (Zero to
JupyterHub's ``KubeSpawner``), where there are no system accounts and no shared files.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from jupyterhub.auth import LocalAuthenticator
from tornado import web
from traitlets import Unicode, default

from . import names
from .settings import INSTRUCTORS_GROUP, TRAINEES_GROUP, is_instructor, load_settings, roster_entry

TRAINEE_START = "/voila/render/home.ipynb"


class LoginRefused(web.HTTPError):
    """A refused login; JupyterHub shows ``message`` (Chinese) on the login page, status 403."""

    def __init__(self, message: str):
        super().__init__(403, "%s", message)
        self.jupyterhub_message = message


class RoomAuthenticator(LocalAuthenticator):
    """Class code + name for trainees, account + password for instructors; system users are created."""

    settings_file = Unicode(help="The room's settings (room.json) written by `cqvol-sim room`.").tag(config=True)

    @default("create_system_users")
    def _create_users_default(self):
        return True

    @default("enable_auth_state")
    def _auth_state_default(self):
        return True     # the trainee's name, for their server (the room and the chart provide the key)

    @default("allow_all")
    def _allow_all_default(self):
        return True

    @default("manage_groups")
    def _manage_groups_default(self):
        return True

    @default("add_user_cmd")
    def _add_user_cmd_default(self):
        homes = self.room.homes.rstrip("/")
        return ["useradd", "--create-home", "--home-dir", f"{homes}/USERNAME", "--shell", "/usr/sbin/nologin",
                "--comment", names.ACCOUNT_COMMENT, "-K", "HOME_MODE=0700", "-K", "UMASK=077"]

    @property
    def room(self):
        """The room's settings (read once)."""
        if not hasattr(self, "_room"):
            self._room = load_settings(self.settings_file)
        return self._room

    def roster_names(self) -> list[str]:
        """The names the login page offers (the roster's, in its order)."""
        return [e["name"] for e in self.room.roster]

    async def authenticate(self, handler, data):
        """The user model of whoever filled in the form; LoginRefused (Chinese) otherwise."""
        typed = (data or {}).get("username", "")
        secret = (data or {}).get("password", "")
        account = typed.strip() if isinstance(typed, str) else ""
        if account in self.room.instructors:
            return self._instructor(account, secret)
        return self._trainee(typed, secret)

    def _instructor(self, account: str, password) -> dict:
        if not names.password_matches(password, self.room.instructors[account]):
            raise LoginRefused("培训老师的账号或密码不对，请再输入一次。")
        return {"name": account, "groups": [INSTRUCTORS_GROUP]}

    def _trainee(self, typed, code) -> dict:
        try:
            name = names.trainee_name(typed)
        except names.RoomInputError as exc:
            raise LoginRefused(f"{exc}（在“姓名”一栏填写自己的姓名。）") from None
        if not (isinstance(code, str) and code.strip()):
            raise LoginRefused("请填写班级口令：就是培训老师写在黑板上的那几个数字。")
        if not names.code_matches(code, self.room.code):
            raise LoginRefused("班级口令不对：请看清黑板上写的口令再输入一次。")
        entry = roster_entry(self.room, name)
        if entry is None and self.room.roster_only:
            raise LoginRefused(f"花名册上没有“{name}”。请从名单中选择自己的姓名；名单上没有的话，请找培训老师。")
        entry = dict(entry or {"name": name, "unit": "", "class": ""})
        username = names.trainee_username(name)
        if names.foreign_account(username):     # practically never: a t- account made by someone else
            raise LoginRefused("这个姓名无法登录（服务器上已有同名的系统账号）。请在姓名后加上单位，或找培训老师。")
        return {"name": username, "groups": [TRAINEES_GROUP], "auth_state": {"trainee": entry}}

    async def pre_spawn_start(self, user, spawner):
        """Before a trainee's server starts: their name (fixed) and 培训首页 as its first page."""
        if is_instructor(user):
            return
        entry = ((await user.get_auth_state()) or {}).get("trainee")
        if not (isinstance(entry, dict) and entry.get("name")):   # never a nameless trainee server
            raise LoginRefused("请先退出登录，再用自己的姓名和班级口令重新登录。")
        spawner.environment = {**spawner.environment, **trainee_environment(entry)}
        spawner.default_url = trainee_start(entry)

    def get_custom_html(self, base_url):
        return ""    # the room's own login.html renders the form


def trainee_environment(entry: dict) -> dict[str, str]:
    """A trainee's server's environment: their name, unit and class (from the roster), which the
    pages may not change, and an instructor-page code nobody is told (so that page stays shut)."""
    return {"CQVOL_TRAINEE": entry["name"], "CQVOL_TRAINEE_FIXED": "1",
            "CQVOL_TRAINEE_UNIT": entry.get("unit") or "", "CQVOL_TRAINEE_CLASS": entry.get("class") or "",
            "CQVOL_INSTRUCTOR_CODE": secret_for_trainees()}


def trainee_start(entry: dict) -> str:
    """The trainee's first page: 培训首页 with their name (and unit, class from the roster)."""
    query = {"trainee": entry["name"], "unit": entry.get("unit") or "", "klass": entry.get("class") or ""}
    return TRAINEE_START + "?" + urlencode({k: v for k, v in query.items() if v})


def secret_for_trainees() -> str:
    """A code nobody is told: trainees' servers get it as the instructor-page code, so that page stays shut."""
    return secrets.token_urlsafe(24)
