# The hub image: the chart's own hub image with cqvol-sim's class-code login added.
#   docker build -f deploy/z2jh/hub.Dockerfile -t registry.example.cn/cqvol-sim/hub:0.1.0 .
FROM quay.io/jupyterhub/k8s-hub:4.4.0
USER root
COPY pyproject.toml README.md LICENSE /opt/cqvol-sim/
COPY cqvol_sim /opt/cqvol-sim/cqvol_sim
RUN pip install --no-cache-dir "/opt/cqvol-sim[room]" openpyxl==3.1.5
# China Standard Time for the class view's times, which runs from this image (cqvol_sim.room.hubconfig.ROOM_TZ)
ENV TZ=CST-8
USER ${NB_USER}
