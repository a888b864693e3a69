"""The live class view as a JupyterHub service: behind the hub's own login (OAuth), only for
users whose role grants ``access:services!service=<name>`` (the room gives it to instructors).

Routes under the service prefix: the page, ``fragment`` (what the page fetches every few
seconds), ``snapshot.json`` and ``report.xlsx`` (the same workbook as ``cqvol-sim report`` on the
same progress databases). Everything is read-only.

Run by the hub (``c.JupyterHub.services``), with its environment (``JUPYTERHUB_SERVICE_PREFIX``,
``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_API_TOKEN`` …)::

    python -m cqvol_sim.classview --progress /home
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlparse

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from ..errors import CqvolError
from .page import FORBIDDEN, fragment_html, page_html
from .snapshot import SnapshotCache, class_snapshot


def _titles() -> tuple[dict[str, str], dict[str, str]]:
    """Exercise titles from the bank and page titles from the app's catalogue (ids if unreadable)."""
    from ..app.catalogue import catalogue
    from ..exercises.report import _titles as exercise_titles
    titles = {k: v[0] for k, v in exercise_titles()[0].items()}
    pages = {k: p.title for k, p in catalogue().by_id.items()}
    return titles, pages


def _auth_base():
    from jupyterhub.services.auth import HubOAuthenticated
    return HubOAuthenticated


class _Base(_auth_base(), web.RequestHandler):  # type: ignore[misc]
    """Every route: hub login required; anyone the hub does not give access gets a Chinese 403 page."""

    def initialize(self, sources: list[str]) -> None:
        self.sources = sources

    def snapshot(self) -> dict:
        titles, pages = self.settings["cqvol_titles"]
        return class_snapshot(self.sources, titles=titles, pages=pages, cache=self.settings["cqvol_cache"])

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if status_code == 403:
            self.finish(FORBIDDEN.format(home="/hub/home"))
        else:
            self.finish(f"<!DOCTYPE html><meta charset='utf-8'><p>班级看板出错了（{status_code}）。"
                        "请稍后刷新页面。</p>")


class PageHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        prefix = self.settings["cqvol_prefix"]
        self.set_header("Cache-Control", "no-store")
        token = self.xsrf_token
        self.finish(page_html(self.snapshot(), fragment_url=prefix + "fragment", report_url=prefix + "report.xlsx",
                              xsrf=token.decode("ascii") if isinstance(token, bytes) else str(token)))


class FragmentHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(fragment_html(self.snapshot()))


class SnapshotHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(self.snapshot(), ensure_ascii=False))


class ReportHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        from ..exercises.report import write_report
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.xlsx"
            try:
                write_report(self.sources, out)
            except CqvolError as exc:
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.set_status(409)
                self.finish(f"<!DOCTYPE html><meta charset='utf-8'><p>还不能生成报告：{exc}</p>")
                return
            data = out.read_bytes()
        name = f"全班成绩报告-{_dt.date.today():%Y%m%d}.xlsx"
        self.set_header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.set_header("Content-Disposition", f"attachment; filename=report.xlsx; filename*=UTF-8''{quote(name)}")
        self.finish(data)


def make_app(sources: list[str], prefix: str) -> web.Application:
    """The tornado application of the service under ``prefix`` (ends with /)."""
    from jupyterhub.services.auth import HubOAuthCallbackHandler
    routes = [(prefix, PageHandler), (prefix + "fragment", FragmentHandler),
              (prefix + "snapshot.json", SnapshotHandler), (prefix + "report.xlsx", ReportHandler)]
    handlers: list = [(path, cls, {"sources": sources}) for path, cls in routes]
    handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    # one cache for the service's lifetime: a poll rereads only the progress databases that changed
    return web.Application(handlers, cookie_secret=os.urandom(32), cqvol_prefix=prefix, cqvol_titles=_titles(),
                           cqvol_cache=SnapshotCache())


def main(argv: list[str] | None = None) -> int:
    """Serve the class view where the hub says (``JUPYTERHUB_SERVICE_URL``)."""
    parser = argparse.ArgumentParser(prog="python -m cqvol_sim.classview",
                                     description="班级实时看板（JupyterHub 服务）")
    parser.add_argument("--progress", action="append", required=True,
                        help="学员进度数据库所在的文件夹（例如学员的家目录所在的 /home），可以给多个")
    args = parser.parse_args(argv)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/class-view/")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8900"))
    if "JUPYTERHUB_API_TOKEN" not in os.environ:
        print("班级看板要由 JupyterHub 启动（缺少 JUPYTERHUB_API_TOKEN）。请用 cqvol-sim room 启动培训室。",
              file=sys.stderr)
        return 2
    HTTPServer(make_app(args.progress, prefix if prefix.endswith("/") else prefix + "/")).listen(
        url.port or 8900, url.hostname or "127.0.0.1")
    IOLoop.current().start()
    return 0
