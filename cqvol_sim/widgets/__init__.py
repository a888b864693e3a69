"""ipywidgets panels of the simulator, one per task, and ``app`` that composes them.

Every label, choice and message is Simplified Chinese; nothing requires typing code. Panels
only render state and call Sandbox actions: a refusal shows as a friendly panel (what was
wrong, the clause, what would be right), an unexpected error as “出错了”, never a traceback.

    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app
    app(Sandbox.demo(), identity="南坪街道志愿服务总队")
"""

from .app import App, app
from .common import Panel, Session, error_html, guarded, refusal_html
from .grades import GradesPanel
from .hierarchy import HierarchyPanel
from .identity import IdentityPanel
from .log import LogPanel
from .projects import ProjectsPanel
from .recovery import RecoveryPanel
from .register import RegisterPanel
from .review import ReviewPanel
from .table import TablePanel

__all__ = ["app", "App", "Session", "Panel", "IdentityPanel", "RegisterPanel", "ReviewPanel", "GradesPanel",
           "TablePanel", "ProjectsPanel", "RecoveryPanel", "HierarchyPanel", "LogPanel", "refusal_html", "error_html",
           "guarded"]
