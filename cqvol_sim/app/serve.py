"""Start the trainee app (Voilà, 培训首页) or, with ``--lab``, JupyterLab for instructors.

    python -m cqvol_sim.app.serve [--port N] [--no-browser] [--room] [--lab]

``bash tools/start.sh`` runs this after installing. ``--room`` listens on every network address
of this computer so that a training room's browsers can open the app; the addresses to write on
the board are printed. Messages are Chinese; bad options exit with code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

from ..authoring.jupyter_setup import TEMPLATE
from ..room.server import KERNEL_CULL_AFTER   # the same for a room's servers and for start.sh

DEFAULT_PORT = 8866
#: with ``--room`` the instructor page asks for this code (printed at start), so trainees in the
#: room cannot open the class's files; on one's own computer there is no code
ENV_INSTRUCTOR_CODE = "CQVOL_INSTRUCTOR_CODE"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # Chinese, and no usage dump in English
        print(f"选项有误：{message}\n用法：bash tools/start.sh [--port 端口号] [--no-browser] [--room] [--lab]",
              file=sys.stderr)
        raise SystemExit(2)


def parse_args(argv=None) -> argparse.Namespace:
    """The command line, checked; SystemExit(2) with a Chinese message if it is wrong."""
    p = _Parser(prog="start.sh", add_help=True, description="打开志愿服务信息系统培训首页")
    p.add_argument("--port", default=str(DEFAULT_PORT), help="网页的端口号（默认 8866）")
    p.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    p.add_argument("--room", action="store_true", help="让同一局域网里的其他电脑也能打开（培训教室）")
    p.add_argument("--lab", action="store_true", help="打开 JupyterLab（给培训老师和想看代码的人）")
    args = p.parse_args(argv)
    try:
        port = int(args.port)
    except ValueError:
        p.error(f"端口号应当是数字，例如 8866，而不是“{args.port}”。")
    if not 1024 <= port <= 65535:
        p.error(f"端口号应在 1024 到 65535 之间，现在是 {port}。")
    args.port = port
    return args


def port_free(ip: str, port: int) -> bool:
    """Whether ``port`` can be listened on at ``ip`` (checked by binding it briefly)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses other than loopback (from its own host name; no traffic)."""
    try:
        _, _, addrs = socket.gethostbyname_ex(socket.gethostname())
    except OSError:
        return []
    return sorted({a for a in addrs if not a.startswith("127.")})


def command(args: argparse.Namespace, ip: str) -> list[str]:
    """The Voilà (or JupyterLab) command line to run."""
    bindir = Path(sys.executable).parent
    if args.lab:
        cmd = [str(bindir / "jupyter"), "lab", f"--ServerApp.ip={ip}", f"--ServerApp.port={args.port}",
               "--ServerApp.port_retries=0", str(NOTEBOOKS / "00_start.ipynb")]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        if args.no_browser:
            cmd.append("--no-browser")
        return cmd
    cmd = [str(bindir / "voila"), str(NOTEBOOKS), f"--template={TEMPLATE}",
           "--VoilaConfiguration.classic_tree=True", f"--Voila.ip={ip}", f"--port={args.port}",
           "--Voila.port_retries=0",
           f"--MappingKernelManager.cull_idle_timeout={KERNEL_CULL_AFTER}",
           f"--MappingKernelManager.cull_interval={max(1, KERNEL_CULL_AFTER // 3)}",
           "--MappingKernelManager.cull_connected=False"]
    if args.no_browser:
        cmd.append("--no-browser")
    return cmd


def main(argv=None) -> int:
    """Check the options, print where to open the app, then become the server (Ctrl+C stops it)."""
    args = parse_args(argv)
    if not (NOTEBOOKS / "home.ipynb").is_file():
        print(f"找不到培训页面（{NOTEBOOKS}）。请在 cqvol-sim 的文件夹里运行 bash tools/start.sh。", file=sys.stderr)
        return 1
    ip = "0.0.0.0" if args.room else "127.0.0.1"
    if not port_free(ip, args.port):
        print(f"端口 {args.port} 已被占用（可能培训首页已经打开了）。"
              f"换一个端口：bash tools/start.sh --port {args.port + 1}", file=sys.stderr)
        return 1
    what = "JupyterLab（给培训老师）" if args.lab else "培训首页"
    print(f"{what}正在启动，请稍候……")
    print(f"在这台电脑的浏览器里打开：http://127.0.0.1:{args.port}/")
    if args.room:
        addrs = lan_addresses()
        if addrs:
            print("培训教室里其他电脑的浏览器打开（写在黑板上）：")
            for a in addrs:
                print(f"    http://{a}:{args.port}/")
        else:
            print("没有找到本机的局域网地址：请在系统的网络设置里查看本机 IP，"
                  f"然后打开 http://本机IP:{args.port}/")
    if args.room and not args.lab:
        code = os.environ.get(ENV_INSTRUCTOR_CODE) or f"{secrets.randbelow(10**6):06d}"
        os.environ[ENV_INSTRUCTOR_CODE] = code      # the page kernels inherit it
        print(f"培训老师口令：{code}（打开“培训老师”页时要输入；不要写在黑板上）")
    print("要停止：在这个窗口按 Ctrl+C。", flush=True)
    cmd = command(args, ip)
    try:
        os.execv(cmd[0], cmd)
    except OSError as exc:
        print(f"无法启动 {Path(cmd[0]).name}：{exc.strerror}。请重新运行 bash tools/start.sh 安装。", file=sys.stderr)
        return 1
    return 0   # not reached


if __name__ == "__main__":
    raise SystemExit(main())
