"""Configuration file of every room server (``--config`` in ``server.SERVER_ARGS``).

JupyterHub's single-user server sets the ``_xsrf`` cookie during its OAuth login, and the page's
kernel connection needs it. A browser that was closed and opened again still has the (30-day)
login cookie but not the ``_xsrf`` session cookie, so no OAuth happens and, because a Voilà page
never reads the token, no new cookie is set: the page stayed a dead shell showing its notebook's
placeholder text. Reading ``xsrf_token`` while a page is opened sets the cookie again.
"""


def set_xsrf_cookie(req_handler, notebook, cwd):
    """Voilà's prelaunch hook: make sure this browser has the page's ``_xsrf`` cookie."""
    req_handler.xsrf_token    # noqa: B018  (reading it sets the cookie on a page navigation)


c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie  # type: ignore[name-defined]  # noqa: F821
