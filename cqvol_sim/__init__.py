"""cqvol-sim: a training simulator of the 全国志愿服务信息系统 as Chongqing uses it (渝民发〔2020〕17号).

Public API::

    from cqvol_sim import Sandbox, Grade, Right, Kind, RuleViolation
    sb = Sandbox.demo()
"""

from .errors import CqvolError, RuleViolation, RulesError, StorageError
from .model import (Application, Authority, Correction, Grade, Group, Kind, Level, Person, Project,
                    ProjectStatus, RegStatus, Right, Role, ServiceRecord, Status, Volunteer)
from .sandbox import Sandbox

__version__ = "0.1.0"

__all__ = [
    "Sandbox", "Grade", "Right", "Kind", "RegStatus", "Status", "ProjectStatus", "Level", "Role",
    "Group", "Authority", "Person", "Volunteer", "Project", "ServiceRecord", "Correction", "Application",
    "CqvolError", "RuleViolation", "RulesError", "StorageError", "__version__",
]
