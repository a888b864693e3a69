"""A training room on one server: JupyterHub with class-code login, one system user per trainee.

``cqvol-sim room`` (or ``bash tools/room.sh``) installs the hub's proxy, writes a generated
``jupyterhub_config.py`` and starts JupyterHub on the LAN. Modules:

- ``names``: trainee usernames, class codes, instructor accounts and password hashes (no Jupyter);
- ``settings``: the room's settings, saved as JSON beside the generated config;
- ``auth``: the login (class code + name, roster entry, instructor password);
- ``hubconfig``: what the generated config calls: authenticator, spawner, services, roles;
- ``install``: the proxy from the npm registry into the room folder;
- ``cli``: the ``cqvol-sim room`` command.
"""
