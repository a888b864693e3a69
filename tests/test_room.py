"""The training room's pieces that need no hub: usernames, class codes, passwords, settings, config."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cqvol_sim.room import names
from cqvol_sim.room.settings import RoomSettings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_a_chinese_name_gives_a_safe_stable_ascii_username_and_different_names_differ():
    a = names.trainee_username(names.trainee_name(" 张三 "))
    assert a == names.trainee_username("张三") and names.is_trainee_username(a)
    assert a.isascii() and len(a) <= 32 and a.startswith("t-")
    assert names.trainee_name("张　三") == "张三"          # as the roster reads “张　三”
    assert names.trainee_username("李四") != a


@pytest.mark.parametrize("typed", ["", "   ", "\u200b", "张\x07三", "名" * 41])
def test_an_empty_or_odd_name_is_refused_in_chinese(typed):
    with pytest.raises(names.RoomInputError) as err:
        names.trainee_name(typed)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_the_class_code_is_compared_as_typed_on_any_keyboard():
    assert names.code_matches("３８２ ９１５", "382915")       # full-width digits, a space
    assert not names.code_matches("382914", "382915")
    assert not names.code_matches(None, "382915")
    code = names.new_class_code()
    assert len(code) == names.CODE_DIGITS and code.isdigit()
    with pytest.raises(names.RoomInputError):
        names.check_class_code("12")


def test_instructor_passwords_are_stored_only_as_hashes():
    stored = names.hash_password("secret-pw")
    assert "secret-pw" not in stored
    assert names.password_matches("secret-pw", stored)
    assert not names.password_matches("secret-px", stored)
    assert not names.password_matches("secret-pw", "garbage")
    with pytest.raises(names.RoomInputError):
        names.check_account("王老师")


def _settings(tmp_path) -> RoomSettings:
    return RoomSettings(state_dir=str(tmp_path), homes="/home", ip="127.0.0.1", port=18000, code="123456",
                        python=sys.executable, notebooks=str(ROOT / "notebooks"), proxy="/bin/true",
                        roster=[{"name": "李四", "unit": "南岸区民政局", "class": "一班"}])


def test_settings_round_trip_private(tmp_path):
    s = _settings(tmp_path)
    path = s.save()
    assert load_settings(path) == s
    assert path.stat().st_mode & 0o077 == 0


def test_a_trainee_starts_on_the_app_home_page_with_their_roster_unit():
    pytest.importorskip("jupyterhub")
    from cqvol_sim.room.auth import trainee_start

    url = trainee_start({"name": "李四", "unit": "南岸区民政局", "class": "一班"})
    assert url.startswith("/voila/render/home.ipynb?trainee=")
    assert "unit=" in url and "klass=" in url and "/lab" not in url


def test_the_generated_config_is_python_that_calls_the_package(tmp_path):
    from cqvol_sim.room.cli import write_config

    config = write_config(_settings(tmp_path))
    text = config.read_text(encoding="utf-8")
    compile(text, str(config), "exec")
    assert "configure(c, " in text and json.loads(Path(tmp_path, "room.json").read_text())["code"] == "123456"


def test_room_command_has_chinese_help_and_refuses_a_bad_code_without_traceback(tmp_path):
    run = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "room", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "班级口令" in run.stdout
    pytest.importorskip("jupyterhub")
    bad = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "room", "--code", "x", "--dir", str(tmp_path),
                          "--port", "18000"], capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1 and "班级口令应是" in bad.stderr and "Traceback" not in bad.stderr


def _authenticator(tmp_path, **changes):
    pytest.importorskip("jupyterhub")
    from cqvol_sim.room.auth import RoomAuthenticator

    s = _settings(tmp_path)
    s.instructors = {"teacher": names.hash_password("pw-123456")}
    for key, value in changes.items():
        setattr(s, key, value)
    return RoomAuthenticator(settings_file=str(s.save())), s


def _login(auth, username, password):
    import asyncio

    return asyncio.run(auth.authenticate(None, {"username": username, "password": password}))


def test_a_trainee_logs_in_with_name_and_code_and_their_server_gets_the_name(tmp_path):
    import asyncio
    from types import SimpleNamespace

    auth, s = _authenticator(tmp_path)
    model = _login(auth, " 李　四 ", "１２３４５６")
    entry = {"name": "李四", "unit": "南岸区民政局", "class": "一班"}
    assert model == {"name": names.trainee_username("李四"), "groups": ["trainees"], "auth_state": {"trainee": entry}}
    assert auth.enable_auth_state     # the hub keeps auth_state (encrypted) for the spawn

    async def state():
        return model["auth_state"]

    user = SimpleNamespace(groups=[SimpleNamespace(name="trainees")], get_auth_state=state)
    spawner = SimpleNamespace(environment={"KEEP": "1"}, default_url="")
    asyncio.run(auth.pre_spawn_start(user, spawner))
    env = spawner.environment
    assert env["CQVOL_TRAINEE"] == "李四" and env["CQVOL_TRAINEE_FIXED"] == "1" and env["KEEP"] == "1"
    assert env["CQVOL_TRAINEE_UNIT"] == "南岸区民政局" and env["CQVOL_TRAINEE_CLASS"] == "一班"
    assert len(env["CQVOL_INSTRUCTOR_CODE"]) >= 24
    assert spawner.default_url.startswith("/voila/render/home.ipynb?trainee=%E6%9D%8E%E5%9B%9B")


def test_a_trainee_without_a_name_in_auth_state_is_asked_to_log_in_again(tmp_path):
    import asyncio
    from types import SimpleNamespace

    from cqvol_sim.room.auth import LoginRefused

    auth, _ = _authenticator(tmp_path)

    async def state():
        return None      # e.g. logged in before the room's key changed

    user = SimpleNamespace(groups=[SimpleNamespace(name="trainees")], get_auth_state=state)
    spawner = SimpleNamespace(environment={}, default_url="")
    with pytest.raises(LoginRefused) as err:
        asyncio.run(auth.pre_spawn_start(user, spawner))
    assert "重新登录" in err.value.jupyterhub_message and spawner.environment == {}


def test_refusals_are_chinese_sentences_for_the_login_page(tmp_path):
    from cqvol_sim.room.auth import LoginRefused

    auth, s = _authenticator(tmp_path, roster_only=True)
    cases = [("李四", "654321", "班级口令不对"), ("", "123456", "请填写学员姓名"),
             ("王五", "123456", "花名册上没有“王五”"), ("teacher", "123456", "培训老师的账号或密码不对")]
    for username, password, says in cases:
        with pytest.raises(LoginRefused) as err:
            _login(auth, username, password)
        assert says in err.value.jupyterhub_message and err.value.status_code == 403


def test_an_instructor_logs_in_with_their_password_into_the_instructors_group(tmp_path):
    auth, _ = _authenticator(tmp_path)
    assert _login(auth, "teacher", "pw-123456") == {"name": "teacher", "groups": ["instructors"]}


def test_a_room_needs_root_and_says_so_in_chinese(monkeypatch, tmp_path):
    from cqvol_sim.room import install

    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    with pytest.raises(install.RoomSetupError, match="root"):
        install.check_can_host(Path(sys.executable), ROOT / "notebooks", tmp_path)


def test_an_existing_system_account_such_as_root_cannot_be_an_instructor(tmp_path):
    pytest.importorskip("jupyterhub")
    bad = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "room", "--instructor", "root", "--dir",
                          str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1 and "已有的系统账号" in bad.stderr and "Traceback" not in bad.stderr
    assert names.foreign_account("root") and not names.foreign_account("t-0000000000x")


def test_a_trainees_page_kernel_runs_without_debugger_and_history(tmp_path, monkeypatch):
    """The kernel spec the room puts first on trainees' JUPYTER_PATH is the one a page gets, and it
    starts a working kernel that never loads debugpy nor opens IPython's history database."""
    from jupyter_client.manager import KernelManager

    from cqvol_sim.room.hubconfig import TRAINEE_JUPYTER

    monkeypatch.setenv("JUPYTER_PATH", str(TRAINEE_JUPYTER))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    km = KernelManager(kernel_name="python3")
    assert km.kernel_spec.argv[:3] == ["python", "-m", "cqvol_sim.room.kernel"]
    km.start_kernel(cwd=str(tmp_path))
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        code = ("import sys; from ipykernel.debugger import _is_debugpy_available as d; "
                "print(d, sys.modules.get('debugpy'), get_ipython().history_manager.enabled, 6 * 7)")
        out: list[str] = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "".join(out).split() == ["False", "None", "False", "42"]
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert not (tmp_path / "ipython" / "profile_default" / "history.sqlite").exists()


def test_settings_only_writes_room_json_for_kubernetes_and_starts_nothing(tmp_path):
    pytest.importorskip("jupyterhub")
    run = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "room", "--settings-only", "--code", "246810",
                          "--dir", str(tmp_path), "--instructor", "lihua"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    written = load_settings(tmp_path / "state" / "room.json")
    assert written.code == "246810" and list(written.instructors) == ["lihua"]
    assert "room.json" in run.stdout and "密码" in run.stdout and not (tmp_path / "node").exists()


def test_servers_report_activity_well_within_the_idle_timeout(tmp_path):
    pytest.importorskip("jupyterhub")
    from cqvol_sim.room.hubconfig import activity_interval

    def interval(minutes):
        s = _settings(tmp_path)
        s.idle_minutes = minutes
        return activity_interval(s)

    assert interval(1) == 10 and interval(5) == 50 and interval(30) == 300 and interval(600) == 300


def test_every_server_starts_with_the_app_settings_and_without_the_costly_iri_parser():
    """``python -m cqvol_sim.room.server`` (the room's and the Z2JH chart's command) is JupyterHub's
    single-user server given ``SERVER_ARGS`` first, and jsonschema's optional IRI checker, whose grammar
    costs each server ~1 CPU-second and ~16 MiB, is never imported."""
    pytest.importorskip("jupyterhub")
    from cqvol_sim.room.server import SERVER_ARGS

    probe = ("import atexit, runpy, sys\n"
             "def report():\n"
             "    import jsonschema, jupyter_server.serverapp\n"
             "    print('ARGV', *sys.argv[1:], sep='\\n')\n"
             "    print('LOADED', sys.modules.get('rfc3987_syntax') is not None,\n"
             "          'iri' in jsonschema.FormatChecker.checkers, 'jupyterhub.singleuser' in sys.modules)\n"
             "atexit.register(report)\n"
             "sys.argv = ['server', '--help']\n"
             "runpy.run_module('cqvol_sim.room.server', run_name='__main__')\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = run.stdout[run.stdout.rindex("ARGV\n"):].splitlines()
    assert report[1:-1] == [*SERVER_ARGS, "--help"]
    assert report[-1] == "LOADED False False True"   # the help printed is JupyterHub's single-user server's


def test_a_server_gives_freed_heap_memory_back_to_the_system():
    """Freed blocks in the middle of the C heap stay in a process's memory until ``malloc_trim``; the room
    server's thread returns them (here 100,000 freed 1.5 KB blocks, every 50th kept)."""
    probe = ("import sys, time\n"
             "from cqvol_sim.room.server import give_back_freed_memory\n"
             "rss = lambda: int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024\n"
             "blobs = [bytes(1500) for _ in range(100_000)]; keep = blobs[::50]; del blobs\n"
             "high = rss()\n"
             "if sys.argv[1] == 'on': give_back_freed_memory(every=0.05)\n"
             "deadline = time.monotonic() + 3\n"
             "while rss() > high - 80 and time.monotonic() < deadline: time.sleep(0.05)\n"
             "print(high - rss())\n")
    freed = {mode: int(subprocess.run([sys.executable, "-c", probe, mode], capture_output=True, text=True,
                                      timeout=60, check=True).stdout) for mode in ("on", "off")}
    assert freed["on"] >= 80 and freed["off"] < 80, freed
