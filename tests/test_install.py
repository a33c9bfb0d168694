"""The install as the README tells it: the learner's requirements hold no test tool, CI and the
dev container run the README's commands word for word, and JupyterLab's file browser hides the
repository's machinery.

Bugs these catch: a test tool slipping back into requirements.txt (the learner's .venv grows by
Playwright's 165 MB again); the README's test command changed while .ci/run still runs the old
one (CI would pass on an install no learner makes); the dev container installing other
requirement files than the README; a comment in devcontainer.json that breaks its JSON.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Distribution names (PEP 503 normalised) that only the tests and the maintenance tools need.
TEST_TOOLS = {
    "pytest",
    "pytest-xdist",
    "pytest-env",
    "pytest-timeout",
    "nbmake",
    "hypothesis",
    "responses",
    "httpx",
    "httpx2",
    "filelock",
    "import-linter",
    "ruff",
    "playwright",
    "nbformat",
    "nbclient",
}
LAB_COMMAND = ".venv/bin/jupyter lab notebooks/00_token_setup.ipynb"


def strip_json_comments(text: str) -> str:
    """Return ``text`` without ``//`` and ``/* */`` comments, leaving strings untouched.

    Devcontainer files are "JSON with comments"; a ``//`` inside a string (a URL) is data.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise ValueError("unterminated /* comment")
            out.append(" ")
            i = end + 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def test_the_comment_stripper_keeps_strings():
    text = '{"url": "http://x//y", /* a */ "q": "say \\"//\\"" // end\n}'
    assert json.loads(strip_json_comments(text)) == {"url": "http://x//y", "q": 'say "//"'}


def requirement_names(path: Path) -> set[str]:
    """Return the normalised distribution names a requirements file asks for (not -e / paths)."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-", ".", "/")):
            continue
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line).group(0)
        names.add(re.sub(r"[-_.]+", "-", name).lower())
    return names


def readme_commands(shell: str) -> list[str]:
    """Return the command lines of the quick start's code block for ``shell`` (bash, powershell)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(rf"```{shell}\n(.*?)```", quick, re.S)
    assert block, f"README's quick start has no {shell} block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def requirement_files(command: str) -> list[str]:
    return re.findall(r"-r ([^\s;]+)", command)


def test_learners_install_holds_no_test_tool():
    learner = requirement_names(ROOT / "requirements.txt")
    assert not learner & TEST_TOOLS, sorted(learner & TEST_TOOLS)
    assert requirement_names(ROOT / "tests" / "requirements.txt") >= TEST_TOOLS


def test_every_pytest_plugin_tests_requirements_names_is_loaded_by_name():
    """Catches a plugin added to tests/requirements.txt but not to addopts' ``-p`` list: plugins
    are not autoloaded (pyproject explains why), so it would be installed and silently unused.
    Plugins that come in as dependencies (anyio's, platformdirs') stay unloaded on purpose."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+, as the next test

    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    addopts = ini["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "--disable-plugin-autoload" in addopts
    named = {addopts[i + 1] for i, word in enumerate(addopts[:-1]) if word == "-p"}
    plugins = {
        entry.value.split(":")[0]
        for name in requirement_names(ROOT / "tests" / "requirements.txt")
        for entry in distribution(name).entry_points
        if entry.group == "pytest11" and entry.name != "xdist.looponfail"  # --looponfail only
    }
    assert {"xdist.plugin", "nbmake.pytest_plugin"} <= plugins, plugins
    assert plugins <= named, sorted(plugins - named)


def test_the_package_needs_nothing_the_learner_does_not_install():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; CI's 3.12 job runs it
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needs = {
        re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", dep).group(0)).lower()
        for dep in project["dependencies"]
    }
    assert needs <= requirement_names(ROOT / "requirements.txt")
    assert not needs & TEST_TOOLS


def test_quick_start_has_two_commands_per_platform_on_the_same_files():
    bash, powershell = readme_commands("bash"), readme_commands("powershell")
    assert len(bash) == len(powershell) == 2
    assert not any("&&" in line for line in powershell)  # Windows PowerShell 5.1 has no &&
    lab, test = bash
    assert lab.endswith(LAB_COMMAND) and "pytest" in test
    assert requirement_files(lab) == ["requirements.txt"]
    assert requirement_files(test) == ["requirements.txt", "tests/requirements.txt"]
    for ours, theirs in zip(bash, powershell, strict=True):
        assert requirement_files(ours) == requirement_files(theirs)


def test_ci_runs_the_readmes_test_command():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert lines[-1] == readme_commands("bash")[1]


def devcontainer() -> dict:
    text = (ROOT / ".devcontainer" / "devcontainer.json").read_text(encoding="utf-8")
    return json.loads(strip_json_comments(text))


def test_devcontainer_installs_as_the_readme_does():
    config = devcontainer()
    lab = readme_commands("bash")[0]
    install = lab.removesuffix(" && " + LAB_COMMAND)
    assert config["postCreateCommand"] == install
    assert config["image"].startswith("mcr.microsoft.com/devcontainers/python:")


def test_devcontainer_starts_jupyterlab_on_the_forwarded_port():
    config = devcontainer()
    assert config["postAttachCommand"].startswith(".venv/bin/jupyter lab ")
    assert 8888 in config["forwardPorts"]
    assert {"ms-python.python", "ms-toolsai.jupyter"} <= set(
        config["customizations"]["vscode"]["extensions"]
    )


def server_config() -> dict:
    path = ROOT / ".jupyter-settings" / "server" / "jupyter_server_config.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name",
    [
        ".git",
        ".venv",
        ".ci",
        ".github",
        "x.egg-info",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
    ],
)
def test_file_browser_hides_the_machinery(name):
    from jupyter_server.services.contents.filemanager import FileContentsManager

    manager = FileContentsManager(**server_config()["ContentsManager"])
    assert not manager.should_list(name)


def test_file_browser_shows_env_and_opens_on_notebook_00():
    from jupyter_server.services.contents.filemanager import FileContentsManager

    config = server_config()
    manager = FileContentsManager(**config["ContentsManager"])
    assert manager.allow_hidden and manager.should_list(".env")
    start = config["LabApp"]["default_url"]
    assert start == "/lab/tree/notebooks/00_token_setup.ipynb"
    assert (ROOT / start.removeprefix("/lab/tree/")).exists()


def notebook_imports() -> dict[str, set[str]]:
    """Return {top-level module: notebooks importing it} over every code cell of the lessons."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                for name in re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", source, re.M):
                    found.setdefault(name, set()).add(path.name)
    return found


def test_every_package_a_notebook_imports_is_in_the_learners_install():
    # Bug caught: a notebook importing a package that only the test tools bring (httpx,
    # nbformat…) or that arrives only as another package's dependency: it runs in the suite
    # and fails, or breaks later, in a learner's .venv.
    learner = requirement_names(ROOT / "requirements.txt")
    providers = packages_distributions()
    missing = {}
    for module, notebooks in notebook_imports().items():
        if module in sys.stdlib_module_names or module == "helpers":
            continue
        names = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [module])}
        if not names & learner:
            missing[module] = sorted(notebooks)
    assert not missing, missing
