"""``cqvol-sim room``: start a training room's JupyterHub on this server (``bash tools/room.sh`` runs it).

    cqvol-sim room [--ip IP] [--port N] [--code CODE] [--roster FILE.xlsx] [--roster-only]
                   [--instructor ACCOUNT]... [--idle-minutes M] [--dir DIR] [--homes DIR] [--install-only]

It installs the proxy if needed, writes the room's settings and a generated
``jupyterhub_config.py`` into ``DIR/state`` and becomes the hub (Ctrl+C stops it and every
trainee's server). It prints, in Chinese, the addresses and the class code to write on the board,
and each instructor's password (``$CQVOL_ROOM_PASSWORD`` sets it; otherwise a new one each start).
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path
from string import Template

from . import names
from .install import RoomSetupError, check_can_host, ensure_proxy, missing_python_packages, proxy_path
from .settings import RoomSettings

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8000
DEFAULT_IDLE_MINUTES = 30
ENV_PASSWORD = "CQVOL_ROOM_PASSWORD"
CONFIG_TEMPLATE = Path(__file__).resolve().parent / "templates" / "jupyterhub_config.py.tmpl"


def add_commands(sub) -> None:
    """Register ``room`` on the ``cqvol-sim`` subparsers."""
    p = sub.add_parser("room", help="培训教室：在这台服务器上开一个多人培训服务（JupyterHub）",
                       description="在这台服务器上启动培训教室的 JupyterHub：学员用浏览器打开屏幕上的地址，"
                                   "填姓名和班级口令即可进入培训首页。要用 root 运行。")
    p.add_argument("--ip", default="0.0.0.0", help="监听的地址（默认 0.0.0.0：本机的所有局域网地址）")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"网页的端口号（默认 {DEFAULT_PORT}；"
                                                                   "它后面的两个端口也要空着）")
    p.add_argument("--code", default=None, help="班级口令（默认：随机 6 位数字）")
    p.add_argument("--roster", default=None, metavar="FILE", help="花名册（Excel .xlsx）：登录页列出其中的姓名")
    p.add_argument("--roster-only", action="store_true", help="只允许花名册上的学员登录")
    p.add_argument("--instructor", action="append", default=None, metavar="ACCOUNT",
                   help="培训老师的账号（可写多次；默认 teacher）")
    p.add_argument("--idle-minutes", type=int, default=DEFAULT_IDLE_MINUTES,
                   help=f"学员多少分钟不操作就停止其服务（默认 {DEFAULT_IDLE_MINUTES}；再登录会回到原处）")
    p.add_argument("--dir", default=str(PROJECT / ".room"), help="培训教室的文件夹（默认：项目中的 .room）")
    p.add_argument("--homes", default="/home", help="学员主文件夹所在的文件夹（默认 /home）")
    p.add_argument("--install-only", action="store_true", help="只安装需要的程序，不启动")
    p.add_argument("--settings-only", action="store_true",
                   help="只写出教室的设置文件 room.json（班级口令、花名册、培训老师），不启动；用于 Kubernetes 部署")
    p.set_defaults(func=cmd_room)


def cmd_room(args) -> int:
    """Install, check, write the config, print what to write on the board, then become the hub."""
    missing = missing_python_packages()
    if missing:
        raise RoomSetupError(f"缺少 Python 软件包 {', '.join(missing)}：请运行 bash tools/room.sh（它会先安装）。")
    room_dir = Path(args.dir).resolve()
    settings, password = build_settings(args, room_dir, proxy_path(room_dir / "node"))   # options first
    if args.settings_only:
        config = write_config(settings)
        print(f"教室设置已写到：{config.parent / 'room.json'}（只有 root 能读；班级口令 {settings.code}）")
        for account in settings.instructors:
            print(f"培训老师账号：{account}  密码：{password}（不要写在黑板上）")
        return 0
    ensure_proxy(room_dir / "node")
    if args.install_only:
        print("培训教室需要的程序已经装好。")
        return 0
    check_can_host(Path(settings.python), Path(settings.notebooks), Path(settings.homes))
    _check_ports(settings)
    config = write_config(settings)
    print_board(settings, password)
    os.chdir(settings.state_dir)
    cmd = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)]
    sys.stdout.flush()
    os.execv(cmd[0], cmd)
    return 0   # not reached


def build_settings(args, room_dir: Path, proxy: Path) -> tuple[RoomSettings, str]:
    """The room's settings from the options, and the instructors' (plain) password to print."""
    from ..app.serve import NOTEBOOKS

    if not 1024 <= args.port <= 65533:
        raise RoomSetupError(f"端口号应在 1024 到 65533 之间，现在是 {args.port}。")
    if not 1 <= args.idle_minutes <= 24 * 60:
        raise RoomSetupError("--idle-minutes 应在 1 到 1440（一天）之间。")
    try:
        code = names.check_class_code(args.code) if args.code is not None else names.new_class_code()
        accounts = [names.check_account(a) for a in (args.instructor or ["teacher"])]
    except names.RoomInputError as exc:
        raise RoomSetupError(str(exc)) from None
    for account in accounts:
        if names.foreign_account(account):
            raise RoomSetupError(f"“{account}”是这台服务器上已有的系统账号，不能用作培训老师的账号："
                                 "请用 --instructor 另起一个名字，例如 teacher。")
    password = os.environ.get(ENV_PASSWORD) or names.new_password()
    state = room_dir / "state"
    homes = Path(args.homes).resolve()
    settings = RoomSettings(
        state_dir=str(state), homes=str(homes), ip=args.ip, port=args.port, code=code,
        python=sys.executable, notebooks=str(NOTEBOOKS), proxy=str(proxy),
        instructors={a: names.hash_password(password) for a in accounts},
        roster=read_roster_entries(args.roster) if args.roster else [],
        roster_only=bool(args.roster_only), idle_minutes=args.idle_minutes)
    if settings.roster_only and not settings.roster:
        raise RoomSetupError("用了 --roster-only，但没有用 --roster 给出花名册。")
    return settings, password


def read_roster_entries(path: str) -> list[dict]:
    """The roster's entries as dicts; problems are printed, a file that is no roster is refused."""
    from ..app.roster import read_roster

    found = read_roster(path)
    for problem in found.problems:
        print(f"花名册 {Path(path).name}：{problem}")
    if not found.entries:
        raise RoomSetupError(f"花名册 {path} 里没有可用的学员姓名。")
    return [e.to_dict() for e in found.entries]


def write_config(settings: RoomSettings) -> Path:
    """Save the settings and the generated ``jupyterhub_config.py``; the config's path."""
    state = Path(settings.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)           # the hub's database, cookie secret and password hashes
    settings_file = settings.save()
    text = Template(CONFIG_TEMPLATE.read_text(encoding="utf-8")).substitute(
        when=_dt.datetime.now().isoformat(timespec="seconds"), settings_file=repr(str(settings_file)))
    config = Path(settings.state_dir) / "jupyterhub_config.py"
    config.write_text(text, encoding="utf-8")
    return config


def _check_ports(settings: RoomSettings) -> None:
    from ..app.serve import port_free

    loopback = (settings.api_port, settings.hub_port, settings.class_view_port)
    for port, ip in ((settings.port, settings.ip), *((p, "127.0.0.1") for p in loopback)):
        if not port_free(ip, port):
            raise RoomSetupError(f"端口 {port} 已被占用（培训教室可能已经开着）。"
                                 f"换一个端口：--port {settings.port + 10}")


def board_addresses(settings: RoomSettings) -> list[str]:
    """The addresses trainees' browsers open (the LAN addresses when listening on all of them)."""
    from ..app.serve import lan_addresses

    if settings.ip in ("0.0.0.0", ""):
        hosts = lan_addresses() or ["本机IP"]
    else:
        hosts = [settings.ip]
    return [f"http://{h}:{settings.port}/" for h in hosts]


def print_board(settings: RoomSettings, password: str) -> None:
    """Print, in Chinese, what the instructor writes on the board and what they keep to themselves."""
    print("培训教室正在启动，请稍候……")
    print("请写在黑板上：")
    for url in board_addresses(settings):
        print(f"    网址：{url}")
    print(f"    班级口令：{settings.code}")
    print("学员在浏览器里打开网址，填自己的姓名和班级口令，就进入培训首页。")
    if settings.roster:
        print(f"花名册：{len(settings.roster)} 名学员" + ("（只允许名单上的学员登录）" if settings.roster_only else ""))
    for account in settings.instructors:
        print(f"培训老师账号：{account}  密码：{password}（不要写在黑板上）")
    if settings.instructors:
        view = board_addresses(settings)[0] + "services/class-view/"
        print(f"班级实时看板（培训老师登录后打开）：{view}")
    print(f"学员 {settings.idle_minutes} 分钟不操作，其服务会停止；再次登录会回到原处。")
    print("要停止：在这个窗口按 Ctrl+C。", flush=True)

