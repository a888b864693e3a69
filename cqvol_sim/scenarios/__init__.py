"""Ready-made sandboxes: the demo district and the synthetic whole city.

Both are built through the sandbox's own actions (every rule is checked); the builders run
with events switched off, and the sandbox records one ``scenario`` event instead, so that
``Sandbox.replay`` rebuilds them from their parameters.
"""

from .demo import DEMO_DISTRICT, build_demo
from .city import build_city

__all__ = ["DEMO_DISTRICT", "build_demo", "build_city"]
