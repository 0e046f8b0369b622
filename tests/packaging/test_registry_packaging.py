"""packaging/registry: the systemd unit and the container file stay runnable and hardened.

Neither systemd nor a container engine runs here: these check what can be
checked without them (the command lines parse with the real CLI, the hardening
options are set, the container installs exactly the registry's libraries, and
the registry runs with none of the console's).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

from stewardship_registry.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "packaging" / "registry" / "stewardship-registry.service"
CONTAINERFILE = ROOT / "packaging" / "registry" / "Containerfile"


def _unit() -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            options.setdefault(key.strip(), []).append(value.strip())
    return options


def test_the_unit_runs_serve_on_loopback_with_a_private_state_directory() -> None:
    unit = _unit()
    [exec_start] = unit["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/stewardship-registry")
    args = build_parser().parse_args(argv[1:])
    assert args.verb == "serve" and args.host == "127.0.0.1"
    assert str(args.db).startswith("/var/lib/stewardship-registry/")
    assert unit["StateDirectory"] == ["stewardship-registry"]
    assert unit["StateDirectoryMode"] == ["0700"] and unit["UMask"] == ["0077"]


def test_the_unit_sets_the_hardening_options() -> None:
    unit = _unit()
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "MemoryDenyWriteExecute": "yes",
        "SystemCallArchitectures": "native",
    }.items():
        assert unit.get(key) == [value], key
    assert "@system-service" in unit["SystemCallFilter"]


def test_the_container_installs_the_registry_extra_and_serves_it() -> None:
    text = CONTAINERFILE.read_text()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["registry"]
    for requirement in extra:
        assert f'"{requirement}"' in text, f"the container lacks {requirement}"
    cmd = text[text.index("CMD [") :].splitlines()[0]
    serve = cmd[cmd.index("exec stewardship-registry") + len("exec stewardship-registry") :]
    serve = serve.split('\\"')[0].rsplit("--forwarded-allow-ips", 1)[0]
    args = build_parser().parse_args([*shlex.split(serve), "--forwarded-allow-ips", "10.0.0.1"])
    assert args.verb == "serve" and str(args.db) == "/data/registry.db"
    assert "USER registry" in text


def test_the_registry_runs_without_any_of_the_consoles_libraries(tmp_path: Path) -> None:
    """The container installs the package with --no-deps: Qt, sqlite-utils, keyring,
    requests and platformdirs are absent there."""
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'PySide6', 'sqlite_utils', 'keyring', 'keyrings',"
        " 'requests', 'platformdirs'}:\n"
        "            raise ImportError('not installed: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import stewardship_registry.app, stewardship_registry.server\n"
        "from stewardship_registry.cli import main\n"
        "sys.exit(main(['token', 'create', '--db', sys.argv[1], '--name', 'n',"
        " '--role', 'viewer']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "r.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stw_")
