"""What the room needs besides Python packages: JupyterHub's proxy, from the npm registry.

``configurable-http-proxy`` is pinned by ``proxy/package-lock.json`` (shipped with the package)
and installed with ``npm ci`` into ``<room folder>/node`` (git-ignored), only when missing or
when the lock file changed. Also here: the checks that a room can start on this machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import stat
import subprocess
from pathlib import Path

from ..errors import CqvolError

PROXY_SOURCE = Path(__file__).resolve().parent / "proxy"
LOCK = "package-lock.json"
STAMP = ".cqvol-installed"
NPM_TIMEOUT_S = 600


class RoomSetupError(CqvolError):
    """The room cannot start on this machine; the message (Chinese) says what to do."""


def proxy_path(node_dir: Path) -> Path:
    """Where ``configurable-http-proxy`` is after ``ensure_proxy(node_dir)``."""
    return node_dir / "node_modules" / ".bin" / "configurable-http-proxy"


def _lock_digest() -> str:
    return hashlib.sha256((PROXY_SOURCE / LOCK).read_bytes()).hexdigest()


def ensure_proxy(node_dir: Path) -> Path:
    """Install the pinned proxy into ``node_dir`` unless it is already there; its executable's path.

    Raise RoomSetupError (Chinese) if Node.js/npm are missing or the install fails.
    """
    node_dir = Path(node_dir)
    exe = proxy_path(node_dir)
    stamp = node_dir / STAMP
    want = _lock_digest()
    if exe.exists() and stamp.is_file() and stamp.read_text().strip() == want:
        return exe
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RoomSetupError("没有找到 Node.js（node 和 npm）：培训教室的服务器需要它。"
                             "在 Debian/Ubuntu 上以 root 运行 apt-get install -y nodejs npm，然后再试。")
    node_dir.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", LOCK):
        shutil.copyfile(PROXY_SOURCE / name, node_dir / name)
    try:
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node_dir,
                              capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RoomSetupError(f"安装 configurable-http-proxy 超过 {NPM_TIMEOUT_S // 60} 分钟没有完成："
                             "请检查网络后再试。") from None
    if done.returncode != 0 or not exe.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RoomSetupError("安装 configurable-http-proxy（npm ci）失败，请检查网络后再试。npm 的提示："
                             + " / ".join(tail))
    stamp.write_text(want)
    return exe


def missing_python_packages() -> list[str]:
    """The room's Python packages that are not installed (empty when all are)."""
    wanted = {"jupyterhub": "jupyterhub", "jupyterhub_idle_culler": "jupyterhub-idle-culler", "voila": "voila"}
    return [pkg for module, pkg in wanted.items() if importlib.util.find_spec(module) is None]


#: what a trainee's account must be able to do for their server to start
_PROBE = "import sys, cqvol_sim.app.home_page, voila, jupyterhub; open(sys.argv[1], 'rb').close()"


def others_can_run(python: Path, notebooks: Path) -> bool:
    """Whether an unprivileged account (``nobody``) can run ``python`` with the app and read its pages.

    Trainees' servers run as their own system accounts; an interpreter under /root (pyenv) or a
    checkout in a private folder would stop them.
    """
    try:
        done = subprocess.run(["runuser", "-u", "nobody", "--", str(python), "-c", _PROBE,
                               str(Path(notebooks) / "home.ipynb")], cwd="/", capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def check_can_host(python: Path, notebooks: Path, homes: Path) -> None:
    """RoomSetupError (Chinese) unless this machine can host a room: root, files every account can use."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise RoomSetupError("培训教室的服务器要为每位学员建一个系统账号，所以要用 root 运行："
                             "sudo bash tools/room.sh。")
    if not others_can_run(python, notebooks):
        raise RoomSetupError(f"学员的账号无法运行 {python} 或读取 {notebooks}（在只有 root 能进的文件夹里）。"
                             "请用 bash tools/room.sh 启动（它会准备所有账号都能用的 Python），"
                             "并把 cqvol-sim 放在所有账号都能读的地方，例如 /opt/cqvol-sim。")
    try:
        mode = homes.stat().st_mode
    except OSError:
        raise RoomSetupError(f"学员主文件夹所在的文件夹 {homes} 不存在。") from None
    if not (stat.S_ISDIR(mode) and mode & stat.S_IXOTH):
        raise RoomSetupError(f"学员的账号进不去 {homes}：请运行 chmod 755 {homes}，或用 --homes 换一个文件夹。")
