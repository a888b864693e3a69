"""What the generated ``jupyterhub_config.py`` calls: the whole room's hub configuration.

- proxy, hub and database in the room's state folder; the proxy listens on the room's address,
  the hub itself and the proxy's API only on loopback;
- ``RoomAuthenticator`` (class code + name; instructors by password) creating one system user
  per person; ``LocalProcessSpawner`` runs each person's server as that user, home mode 0700;
- trainees' servers open the trainee app (Voilà, 培训首页) with JupyterLab and terminals switched
  off, and their page kernels run without debugger and history (``room/kernel.py``);
  instructors' servers open JupyterLab on their own copy of the course (``培训材料``, theirs to
  save), with the instructor pages one click away; the exercises they save go to the room's
  shared folder (group ``cqvol-teachers`` writes), which trainees' pages read;
- ``jupyterhub-idle-culler`` as a hub service stops idle servers; the app's autosave (in the
  trainee's home) brings a culled trainee back to where they were;
- the live class view (``cqvol_sim.classview``) as a hub service; the ``instructor`` role of the
  ``instructors`` group is the only one allowed in.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import secrets
import sys
from pathlib import Path

from .auth import TRAINEE_START
from .settings import INSTRUCTORS_GROUP, RoomSettings, is_instructor, load_settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: put first on trainees' JUPYTER_PATH: its ``python3`` kernel spec runs ``cqvol_sim.room.kernel``
TRAINEE_JUPYTER = Path(__file__).resolve().parent / "jupyter"
APP_HOME = ".cqvol-sim"
#: the live class view's service name (its page is /services/class-view/; only instructors get in)
CLASS_VIEW = "class-view"
#: an instructor's own copy of the course in their home (JupyterLab can save there)
INSTRUCTOR_WORK = "培训材料"
INSTRUCTOR_START = f"/lab/tree/{INSTRUCTOR_WORK}/23_instructor_guide.ipynb"
#: the Unix group of instructors' accounts: it may write the room's shared exercises folder
TEACHERS_UNIX_GROUP = "cqvol-teachers"
#: the time of every server and the class view: China Standard Time (UTC+8, no daylight saving), written
#: the POSIX way so that it works without the time zone database. Servers are often left on UTC, and then
#: 继续上次, the class view and the report showed times 8 hours early.
ROOM_TZ = "CST-8"
#: every person's server (its settings are ``server.SERVER_ARGS``); run by the room's Python
SERVER_MODULE = "cqvol_sim.room.server"
#: server extensions a trainee's server must not load (no JupyterLab, no language server)
TRAINEE_OFF = ("jupyterlab", "jupyter_lsp", "notebook", "jupyter_server_terminals")
#: a trainee's server: the instructor's, without JupyterLab and terminals
TRAINEE_ARGS = ("--ServerApp.terminals_enabled=False",
                *(f"--ServerApp.jpserver_extensions={name}=False" for name in TRAINEE_OFF))


def configure(c, settings_file: str) -> None:
    """Fill JupyterHub's config object ``c`` from the room's settings file."""
    room = load_settings(settings_file)
    state = Path(room.state_dir)
    _network(c, room, state)
    c.JupyterHub.authenticator_class = "cqvol_sim.room.auth.RoomAuthenticator"
    c.RoomAuthenticator.settings_file = str(settings_file)
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    # what the hub's pages (templates/home.html, page.html) link to, said once here
    c.JupyterHub.template_vars = {"instructors_group": INSTRUCTORS_GROUP, "class_view": CLASS_VIEW,
                                  "instructor_page": f"voila/render/{INSTRUCTOR_WORK}/instructor.ipynb"}
    c.CryptKeeper.keys = [auth_state_key(state)]
    _spawner(c, room)
    _services_and_roles(c, room)


def auth_state_key(state: Path) -> str:
    """The key that encrypts logins' auth_state (the trainee's name) in the hub's database: made
    once, kept in the state folder (root only) so that a restarted room still reads it."""
    path = state / "auth_state.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _network(c, room: RoomSettings, state: Path) -> None:
    c.JupyterHub.ip = room.ip
    c.JupyterHub.port = room.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = room.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room.api_port}"
    c.ConfigurableHTTPProxy.command = [room.proxy]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True


def _spawner(c, room: RoomSettings) -> None:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.Spawner.cmd = [room.python, "-m", SERVER_MODULE]
    c.Spawner.notebook_dir = room.notebooks
    c.Spawner.default_url = TRAINEE_START
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120
    c.Spawner.args = list(TRAINEE_ARGS)
    c.Spawner.pre_spawn_hook = lambda spawner: prepare_server(spawner, room)


def activity_interval(room: RoomSettings) -> int:
    """Seconds between two reports of a server's activity to the hub (and the hub's own look at the
    proxy's): JupyterHub's 300 s default made a room with --idle-minutes under 5 stop servers whose
    trainee was still clicking, because the culler had not heard of the clicks yet."""
    return max(10, min(300, room.idle_minutes * 60 // 6))


def _services_and_roles(c, room: RoomSettings) -> None:
    minutes = max(1, room.idle_minutes)
    c.JupyterHub.last_activity_interval = activity_interval(room)
    c.JupyterHub.implicit_spawn_seconds = 3     # a culled trainee's reload reopens their pages by itself
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [room.python, "-m", "jupyterhub_idle_culler", f"--timeout={minutes * 60}",
                    f"--cull-every={max(30, minutes * 15)}"],
    }, {
        # the live class view reads every trainee's progress in their home (it runs as the hub's root)
        "name": CLASS_VIEW, "display": True, "oauth_no_confirm": True,
        "url": f"http://127.0.0.1:{room.class_view_port}",
        "command": [room.python, "-m", "cqvol_sim.classview", "--progress", room.homes],
        "environment": {"CQVOL_EXERCISES": room.class_exercises,    # the titles of instructors' exercises
                        "TZ": ROOM_TZ},
    }]

    c.JupyterHub.load_roles = [
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
        {"name": "instructor", "groups": [INSTRUCTORS_GROUP],
         "scopes": ["self", "list:users", "read:users", "read:users:activity",
                    f"access:services!service={CLASS_VIEW}"]},
    ]


def prepare_server(spawner, room: RoomSettings) -> None:
    """Before a person's server starts: a private home, their progress in it, the right first page."""
    home = Path(pwd.getpwnam(spawner.user.name).pw_dir)
    os.chmod(home, 0o700)        # homes made before HOME_MODE was set, or changed by hand
    app_home = home / APP_HOME
    env = {"CQVOL_HOME": str(app_home), "CQVOL_PROGRESS_DB": str(app_home / "progress.sqlite3"),
           "PATH": f"{Path(room.python).parent}:/usr/local/bin:/usr/bin:/bin", "MALLOC_ARENA_MAX": "2",
           "JUPYTERHUB_ACTIVITY_INTERVAL": str(activity_interval(room)), "TZ": ROOM_TZ}
    shared = _class_exercises(room)
    if is_instructor(spawner.user):
        account = pwd.getpwnam(spawner.user.name)
        _join_teachers(spawner.user.name)
        copy_course(Path(room.notebooks), home / INSTRUCTOR_WORK, account.pw_uid, account.pw_gid)
        env["CQVOL_INSTRUCTOR_EXERCISES"] = str(shared)   # 保存练习 writes where trainees read
        spawner.notebook_dir = str(home)
        spawner.default_url = INSTRUCTOR_START
        spawner.args = []
    else:   # the trainee's name and first page: RoomAuthenticator.pre_spawn_start, just before
        env["JUPYTER_PATH"] = str(TRAINEE_JUPYTER)   # page kernels without debugger and history
        env["CQVOL_EXERCISES"] = str(shared)          # the instructors' exercises, read-only
        spawner.args = list(TRAINEE_ARGS)
    spawner.environment = {**spawner.environment, **env}


def _class_exercises(room: RoomSettings) -> Path:
    """The shared exercises folder: instructors (the Unix group) write, trainees only read."""
    folder = Path(room.class_exercises)
    subprocess.run(["groupadd", "-f", TEACHERS_UNIX_GROUP], check=True, timeout=30)
    folder.mkdir(exist_ok=True)
    os.chown(folder, 0, grp.getgrnam(TEACHERS_UNIX_GROUP).gr_gid)
    os.chmod(folder, 0o2775)     # setgid: an exercise saved by one instructor stays the group's
    return folder


def _join_teachers(account: str) -> None:
    if account not in grp.getgrnam(TEACHERS_UNIX_GROUP).gr_mem:
        subprocess.run(["usermod", "-aG", TEACHERS_UNIX_GROUP, account], check=True, timeout=30)


def copy_course(source: Path, target: Path, uid: int, gid: int) -> list[Path]:
    """Copy the course's notebooks the instructor does not have yet into ``target`` (theirs to edit
    and save); files already there are theirs and never overwritten. The files copied."""
    copied = []
    for src in sorted(source.rglob("*")):
        rel = src.relative_to(source)
        if any(part.startswith(".") for part in rel.parts) or not src.is_file():
            continue
        dst = target / rel
        if dst.exists():
            continue
        for folder in reversed(dst.relative_to(target.parent).parents[:-1]):
            made = target.parent / folder
            if not made.exists():
                made.mkdir()
                os.chown(made, uid, gid)
        shutil.copyfile(src, dst)
        os.chown(dst, uid, gid)
        copied.append(dst)
    return copied


if __name__ == "__main__":   # pragma: no cover
    sys.exit("This module is imported by the generated jupyterhub_config.py.")
