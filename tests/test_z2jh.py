"""The Zero to JupyterHub deployment (deploy/z2jh): its values pass the chart's published values
schema (chart 4.4.0, tests/data/z2jh), and its images pin every version."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "z2jh"
#: The chart's values.schema.yaml at tag 4.4.0 of jupyterhub/zero-to-jupyterhub-k8s, reduced as the
#: chart packages it (tools/generate-json-schema.py there: descriptions dropped), and its default
#: values.yaml, which helm merges under ours before it validates. BSD-3-Clause.
SCHEMA = ROOT / "tests" / "data" / "z2jh" / "values.schema-4.4.0.json"
CHART_VALUES = ROOT / "tests" / "data" / "z2jh" / "values-4.4.0.yaml"


def merged(defaults, ours):
    """Our values over the chart's, as helm merges them: mappings key by key, the rest replaced."""
    if isinstance(defaults, dict) and isinstance(ours, dict):
        out = dict(defaults)
        for key, value in ours.items():
            out[key] = merged(defaults.get(key), value) if key in defaults else value
        return out
    return ours


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chart_values() -> dict:
    return yaml.safe_load(CHART_VALUES.read_text(encoding="utf-8"))


def test_the_values_pass_the_charts_schema(schema, values, chart_values):
    jsonschema.validate(merged(chart_values, values), schema)


def test_merging_keeps_the_charts_defaults_beside_ours(chart_values, values):
    both = merged(chart_values, values)
    assert both["singleuser"]["defaultUrl"] == values["singleuser"]["defaultUrl"]
    assert both["proxy"]["chp"]["image"] == chart_values["proxy"]["chp"]["image"]


@pytest.mark.parametrize("path, bad", [
    (("singleuser", "defaultUrl"), 42),                        # wrong type
    (("singleuser", "memroy"), {"limit": "512M"}),             # misspelt key
    (("cull", "timeout"), "half an hour"),
    (("hub", "config", "classCodeAuthenticator"), {"x": 1}),   # traitlets classes start with a capital
])
def test_the_schema_check_catches_a_wrong_value(schema, values, chart_values, path, bad):
    broken = merged(copy.deepcopy(chart_values), copy.deepcopy(values))
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_trainees_land_in_the_app_and_idle_servers_are_culled(values):
    url = values["singleuser"]["defaultUrl"]
    m = re.fullmatch(r"/voila/render/(.+\.ipynb)", url)
    assert m and (ROOT / "notebooks" / m.group(1)).is_file()
    assert values["cull"]["enabled"] and values["cull"]["timeout"] <= 3600
    assert values["singleuser"]["extraEnv"]["LANG"] == "zh_CN.UTF-8"


def test_pods_and_the_class_view_keep_china_time_as_a_room_does(values):
    from cqvol_sim.room.hubconfig import ROOM_TZ

    assert values["singleuser"]["extraEnv"]["TZ"] == values["hub"]["extraEnv"]["TZ"] == ROOM_TZ
    hub_image = (DEPLOY / "hub.Dockerfile").read_text(encoding="utf-8")   # the class view runs from it
    assert re.search(rf"^ENV TZ={re.escape(ROOM_TZ)}$", hub_image, re.M)


def test_the_progress_store_url_comes_from_a_secret_not_the_file(values):
    text = (DEPLOY / "config.yaml").read_text(encoding="utf-8")
    assert not re.search(r"postgresql[^\s]*://[^@\s]*:[^@\s]*@", text), "a password in config.yaml"
    for part in ("hub", "singleuser"):
        env = values[part]["extraEnv"]["CQVOL_PROGRESS_URL"]
        assert env["valueFrom"]["secretKeyRef"]["name"]


def _pip_requirements(dockerfile: str) -> list[str]:
    joined = dockerfile.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        m = re.search(r"pip install (.*?)(&&|$)", line)
        if m:
            out += [w.strip('"') for w in m.group(1).split() if not w.startswith("-")]
    return out


@pytest.mark.parametrize("name", ["singleuser.Dockerfile", "hub.Dockerfile"])
def test_the_images_pin_every_version(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    for base in re.findall(r"^FROM (\S+)", text, re.M):
        tag = base.rpartition(":")[2]
        assert ":" in base and tag != "latest" and re.search(r"\d", tag), base
    reqs = _pip_requirements(text)
    assert reqs
    for req in reqs:
        assert req.startswith(("/opt/cqvol-sim", ".")) or "==" in req, f"{name}: {req} is not pinned"


def test_the_singleuser_image_has_the_font_the_language_pack_and_the_hub_the_chart_runs():
    text = (DEPLOY / "singleuser.Dockerfile").read_text(encoding="utf-8")
    assert "fonts-wqy-microhei=" in text
    assert re.search(r"jupyterlab-language-pack-zh-CN==\S+", text)
    hub = re.search(r"jupyterhub==(\d+)\.", text)
    assert hub and hub.group(1) == "5"      # chart 4.4.0 runs JupyterHub 5.5.0: the major must match


def test_the_pin_check_sees_an_unpinned_package():
    assert _pip_requirements("RUN pip install --no-cache-dir voila jupyterhub==5.5.0 && x") == [
        "voila", "jupyterhub==5.5.0"]


def test_pods_run_the_rooms_server_command_on_the_images_notebooks(values):
    """The chart's default ``singleuser.cmd`` (jupyterhub-singleuser) replaces the image's command, so
    config.yaml must name the room's server itself, and the folder the default URL's notebook is in."""
    from cqvol_sim.room.hubconfig import SERVER_MODULE

    assert values["singleuser"]["cmd"] == ["python", "-m", SERVER_MODULE]
    notebooks = values["hub"]["config"]["Spawner"]["notebook_dir"]
    dockerfile = (DEPLOY / "singleuser.Dockerfile").read_text(encoding="utf-8")
    workdir = re.search(r"^WORKDIR (/opt/\S+)", dockerfile, re.M).group(1)
    assert re.search(r"^COPY notebooks \./notebooks$", dockerfile, re.M) and notebooks == f"{workdir}/notebooks"
    assert f'"-m", "{SERVER_MODULE}"' in dockerfile
