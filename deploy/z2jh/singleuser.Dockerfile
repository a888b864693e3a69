# The single-user image of a cqvol-sim trainee on Zero to JupyterHub (deploy/z2jh/config.yaml).
# Every version is pinned; build from the repository root:
#   docker build -f deploy/z2jh/singleuser.Dockerfile -t registry.example.cn/cqvol-sim/singleuser:0.1.0 .
FROM python:3.11.14-slim-bookworm

# the Chinese font for charts and the page, and a Chinese locale
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      fonts-wqy-microhei=0.2.0-beta-3.1 locales \
 && sed -i 's/^# *zh_CN.UTF-8/zh_CN.UTF-8/' /etc/locale.gen && locale-gen \
 && rm -rf /var/lib/apt/lists/*
ENV LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8

RUN useradd --create-home --uid 1000 jovyan
WORKDIR /opt/cqvol-sim
COPY pyproject.toml README.md LICENSE ./
COPY cqvol_sim ./cqvol_sim
COPY notebooks ./notebooks
COPY exercises ./exercises
# the hub's major version must match (the chart 4.4.0 runs JupyterHub 5.5.0)
RUN pip install --no-cache-dir ".[lessons]" \
      jupyterhub==5.5.0 jupyterlab==4.6.6 jupyterlab-language-pack-zh-CN==4.5.post3 \
      voila==0.5.13 ipywidgets==8.1.9 \
 && cqvol-sim setup-jupyter

# page kernels without debugger and IPython history (cqvol_sim/room/kernel.py): less memory each
ENV JUPYTER_PATH=/opt/cqvol-sim/cqvol_sim/room/jupyter

USER jovyan
WORKDIR /home/jovyan
# the same server as in a room (cqvol_sim/room/server.py); config.yaml sets this command too (singleuser.cmd),
# the notebooks folder (Spawner.notebook_dir) and the trainee app as the default URL (singleuser.defaultUrl)
CMD ["python", "-m", "cqvol_sim.room.server", "--ServerApp.root_dir=/opt/cqvol-sim/notebooks"]
