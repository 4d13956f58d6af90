"""docker-compose.yml, checked without Docker running: Compose's own validator where one is installed
(`docker compose config` or Debian's `docker-compose`; .ci/run installs the latter), and always the things a
first start depends on: healthchecks, service references, the login README gives, AIRFLOW_UID, the versions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from pipeline.config import tomllib  # tomli on Python 3.10

from .conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
ONE_SHOT = {"airflow-init"}  # runs to completion; the others wait for it with service_completed_successfully


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_validator_accepts_the_file_and_rejects_a_broken_copy(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (.ci/run installs docker-compose); "
                    "the structural checks below still ran")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    check = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True,
                           cwd=ROOT, env=env)
    assert check.returncode == 0, check.stderr
    broken = tmp_path / "docker-compose.yml"  # the validator must be able to fail: a misspelt key
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:", "    healthchek:", 1))
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    check = subprocess.run([*command, "-f", str(broken), "config", "-q"], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
    assert check.returncode != 0 and "healthchek" in check.stdout + check.stderr


def test_every_long_running_service_has_a_healthcheck_and_references_resolve(compose):
    services = compose["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        check = service.get("healthcheck", {})
        assert check.get("test") and check.get("interval"), f"{name} has no healthcheck"
        for target, condition in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown service {target}"
            expected = "service_completed_successfully" if target in ONE_SHOT else "service_healthy"
            assert condition["condition"] == expected, (name, target)
    declared = set(compose.get("volumes", {}))
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in declared, f"{name}: volume {source} is not declared"


def test_airflow_services_run_as_airflow_uid_and_share_one_configuration(compose):
    airflow = {n: s for n, s in compose["services"].items() if n.startswith("airflow-")}
    assert set(airflow) >= {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                            "airflow-triggerer", "airflow-worker"}
    for name, service in airflow.items():
        if name not in ONE_SHOT:
            assert service["user"] == "${AIRFLOW_UID:-50000}:0", name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == airflow["airflow-apiserver"]["environment"][
            "AIRFLOW__API_AUTH__JWT_SECRET"], name  # tokens from the api-server are checked by the workers
    init = compose["services"]["airflow-init"]["command"][-1]
    assert "AIRFLOW_UID" in init and 'chown -R "${AIRFLOW_UID:-50000}:0"' in init
    readme = (ROOT / "README.md").read_text()
    assert 'echo "AIRFLOW_UID=$(id -u)" > .env' in readme


def test_the_login_readme_gives_is_the_password_file_airflow_reads(compose, tmp_path):
    """Airflow 3's simple auth manager reads the passwords file named in the environment; airflow-init writes
    it from AIRFLOW_ADMIN_PASSWORD. Its one-liner is run here and the file parsed by Airflow's own reader."""
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    env = compose["services"]["airflow-apiserver"]["environment"]
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    password_file = env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    mounts = [v.split(":")[1] for v in compose["x-airflow-common"]["volumes"]]
    assert any(password_file.startswith(m + "/") for m in mounts), "the password file must be on a shared volume"
    init = compose["services"]["airflow-init"]
    assert init["environment"]["_ADMIN_PASSWORD"] == "${AIRFLOW_ADMIN_PASSWORD:-admin}"
    writer = next(line for line in init["command"][-1].splitlines() if "json.dump" in line)
    script = re.search(r"python -c '([^']+)'", writer).group(1)
    target = tmp_path / "passwords.json"
    subprocess.run(["python", "-c", script, str(target)], check=True,
                   env={**os.environ, "_ADMIN_PASSWORD": 'pa"ss wörd'})
    with open(target, "r+") as stream:
        assert SimpleAuthManager._get_passwords(stream) == {"admin": 'pa"ss wörd'}
    readme = (ROOT / "README.md").read_text()
    assert "AIRFLOW_ADMIN_PASSWORD" in readme and "(admin / admin)" not in readme
    # the init script is valid bash once Compose has replaced $$ with $
    assert subprocess.run(["bash", "-n", "-c", init["command"][-1].replace("$$", "$")]).returncode == 0


def test_image_and_dockerfile_use_the_airflow_version_pinned_in_pyproject(compose):
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["airflow"]
    version = next(p.split("==")[1] for p in pins if p.startswith("apache-airflow=="))
    assert compose["x-airflow-common"]["image"].endswith(f":{version}")
    assert f"FROM apache/airflow:{version}-" in (ROOT / "Dockerfile").read_text()
    assert json.dumps(compose)  # plain data after the merge keys: nothing YAML-only left over
