"""A real browser: JupyterLab as the README starts it, and every widget of the collection.

One JupyterLab session, started the way the README's quick start does (``jupyter lab
notebooks/00_token_setup.ipynb`` from the repository root), in a temporary copy of the root
(README, .env.example, notebooks, data), so that autosave never writes into the repository. Headless
Chromium from the system (Debian's package; no browser download) is driven with Playwright.

It checks what a person sees, read from the page:
- the page a learner's browser is sent to shows notebook 00 in front, the file browser can show
  the root (README.md, .env.example), and no news pop-up appears: the repository's own settings
  (``.jupyter-settings/``, installed by requirements.txt) are what turns it off;
- notebook 03's parameter explorer: Send shows the payload and the answer; a slider and the stop
  box change what is sent;
- notebook 08's cost calculator: its table is there without touching anything; a control changes
  it; ``-1`` replaces it with a one-line message; fixing the value brings the table back.

A screenshot is saved on failure (its path is in the assertion message). Skips, with the reason,
where Chromium is absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from cell_names import free_reads, module_bindings
from notebook_budgets import python_of

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_NOTEBOOK = "notebooks/00_token_setup.ipynb"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
WIDGET_CELLS = {
    "03_payload_parameters.ipynb": "parameter_explorer(",
    "08_pricing_free_vs_endpoints.ipynb": "cost_calculator(",
}
"""The notebooks the browser drives, and how their widget's cell starts a line."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium on this machine (apt-get install chromium); .ci/run installs it",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, request):
    """Start ``jupyter lab notebooks/00_token_setup.ipynb`` in a copy of the root; yield a
    function that waits until it serves and returns (base URL, token, the URL a learner's
    browser is sent to): the test launches Chromium while JupyterLab starts."""
    work = tmp_path_factory.mktemp("lab")
    for folder in ("notebooks", "data"):  # the notebooks read ../data/
        shutil.copytree(ROOT / folder, work / folder)
    for name, call in WIDGET_CELLS.items():
        keep_what_the_widget_needs(work / "notebooks" / name, call)
    for name in ("README.md", ".env.example"):
        shutil.copy(ROOT / name, work / name)
    port, token = free_port(), secrets.token_hex(16)
    runtime = work / "runtime"
    env = {
        **os.environ,
        "HF_TUTORIAL_MODE": "local",
        # The learner's own settings stay out of it; the repository's settings are installed
        # in sys.prefix, which these variables do not move.
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
    }
    # For the test's own robustness only: start the notebook's preferred kernel without a
    # "Select Kernel" dialog on a busy machine, and render every cell.
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        '{"autoStartDefaultKernel": true, "windowingMode": "none"}'
    )
    log_path = work / "lab.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "jupyterlab", FIRST_NOTEBOOK),
            *("--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1"),
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60

    def serving() -> tuple[str, str, str]:
        while True:
            try:
                if requests.get(f"{url}/api/status", params={"token": token}, timeout=(2, 30)).ok:
                    return url, token, learner_url(runtime, url)
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-2000:])
            time.sleep(0.1)

    yield serving
    proc.terminate()  # it shuts its kernels down (about 2 s): waited for beside the next tests,
    reaper = threading.Thread(target=reap, args=(proc, log))
    reaper.start()
    request.config.add_cleanup(reaper.join)  # and at the latest before pytest ends


def reap(proc: subprocess.Popen, log) -> None:
    """Wait for a terminated JupyterLab; kill it if it is still there after 15 s."""
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def keep_what_the_widget_needs(path: Path, call: str) -> None:
    """Rewrite the copy at ``path`` to its markdown, its Setup section, the widget's cell and
    the code cells that cell needs (by the names they bind): Run All then shows the widget
    without re-running the whole lesson, which nbmake and the live rehearsal already run."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    widget = next(i for i in code if call in "".join(cells[i]["source"]))
    lesson = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## 1."))
    needed, kept = free_reads(python_of(cells[widget])), {widget}
    for i in reversed([i for i in code if lesson < i < widget]):
        tree = python_of(cells[i])
        bound, read = module_bindings(tree).keys(), free_reads(tree)
        if bound & needed:
            kept.add(i)
            needed |= read
    nb["cells"] = [
        c for i, c in enumerate(cells) if c["cell_type"] != "code" or i < lesson or i in kept
    ]
    path.write_text(json.dumps(nb), encoding="utf-8")


def learner_url(runtime: Path, url: str) -> str:
    """Return the URL that `jupyter lab FILE` sends a browser to (its file-to-run page)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for page in runtime.glob("jpserver-*-open.html"):
            found = re.search(r'url=([^"]+)"', page.read_text(encoding="utf-8"))
            if found and "/tree/" in found.group(1):
                return found.group(1).replace("&amp;", "&")
        time.sleep(0.2)
    raise AssertionError(f"JupyterLab wrote no page to open a file in {runtime}")


def test_jupyterlab_and_every_widget_in_a_real_browser(jupyterlab, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        url, token, opened = jupyterlab()
        try:
            check_first_view(page, url, token, opened)
            # Both notebooks run at once, each on its own kernel, opened from the file browser
            # as a learner would (no page reload in between).
            explorer_run = start_run_all(page, "03_payload_parameters.ipynb")
            calculator_run = start_run_all(page, "08_pricing_free_vs_endpoints.ipynb")
            wait_until_ready(
                page,
                url,
                token,
                "08_pricing_free_vs_endpoints.ipynb",
                "USD / request",
                clicked=calculator_run,
            )
            no_typeset_maths(page)
            drive_calculator(page)
            page.locator(".lm-TabBar-tab", has_text="03_payload_parameters.ipynb").first.click()
            wait_until_ready(
                page, url, token, "03_payload_parameters.ipynb", "Send", clicked=explorer_run
            )
            drive_explorer(page)
            tracebacks = page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                has_text="Traceback",
            )
            assert tracebacks.count() == 0, tracebacks.first.inner_text()
            # The news question, when asked, comes a moment after load: long past by now.
            toasts = page.locator(".Toastify__toast")
            news = toasts.filter(has_text=re.compile("news", re.I))
            assert not news.count(), toasts.all_inner_texts()
        except Exception as error:
            shot = tmp_path / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            raise AssertionError(f"{error}\nscreenshot: {shot}") from None
        finally:
            browser.close()


def check_first_view(page, url: str, token: str, opened: str) -> None:
    """Notebook 00 in front at the root, the root's files in reach, and no news pop-up."""
    from playwright.sync_api import expect

    assert opened.startswith(f"{url}/lab/tree/{FIRST_NOTEBOOK}"), opened
    notification = requests.get(
        f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification",
        params={"token": token},
        timeout=10,
    ).json()
    # Overrides arrive as the schema's defaults (the learner's own choice would still win).
    assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"

    page.goto(opened)
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    expect(current).to_contain_text("00_token_setup.ipynb", timeout=60_000)
    page.locator(".jp-BreadCrumbs-home").first.click()
    listing = page.locator(".jp-DirListing-content")
    for name in ("README.md", ".env.example", "notebooks"):
        expect(listing.get_by_text(name, exact=True)).to_be_visible(timeout=20_000)


def in_front(page):
    """Return the notebook panel in front (the others stay in the page, hidden)."""
    return page.locator(".jp-NotebookPanel:visible")


def run_all_in_front(page, name: str) -> None:
    """Wait for the front notebook's kernel, then Run > Run All Cells. The toolbar's indicator
    reads idle before the page's connection to the kernel is up, and a Run All then runs
    nothing; the status bar says "Connecting" until it is up, then "Idle"."""
    in_front(page).locator(IDLE).wait_for(timeout=60_000)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    status = page.locator(f".jp-StatusBar-TextItem[title='Change kernel for {name}']")
    # A broken connection never gets there: wait_until_ready reopens the notebook then.
    with contextlib.suppress(PlaywrightTimeout):
        status.filter(has_text="| Idle").wait_for(timeout=15_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def start_run_all(page, name: str) -> float:
    """Open notebooks/``name`` from the file browser and start running all its cells; return
    when Run All was clicked (``time.monotonic()``)."""
    from playwright.sync_api import expect

    listing = page.locator(".jp-DirListing-content")
    if listing.get_by_text(name, exact=True).count() == 0:
        listing.get_by_text("notebooks", exact=True).dblclick()
    listing.get_by_text(name, exact=True).dblclick()
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    expect(current).to_contain_text(name, timeout=60_000)
    run_all_in_front(page, name)
    return time.monotonic()


def wait_until_ready(
    page, url: str, token: str, name: str, ready_text: str, *, clicked: float
) -> None:
    """Wait until the front notebook shows a widget with ``ready_text`` and its kernel is idle.

    Run All was clicked once the status bar said the kernel was idle (``run_all_in_front``);
    should it still have run nothing, no cell queued or run 6 s after the click at ``clicked``
    (so at once, for a notebook brought back to the front later), click it again. On a busy
    machine the browser's first connection to a starting kernel can also fail (jupyter_server
    answers 500 and the page's kernel connection stays broken): when still no cell has run
    after 40 s, open the notebook afresh and run all again; likewise when cells ran but no
    widget came after 90 s (the kernel's connection, 500 "Kernel never reached an 'alive'
    state", broke while it ran: widgets need that connection).
    """
    panel = in_front(page)
    ready = panel.locator(".jp-OutputArea-output .widget-label, .jp-OutputArea-output button")
    ready = ready.filter(has_text=ready_text)
    started = panel.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]"))
    dialog_accept = page.locator(".jp-Dialog .jp-mod-accept")
    triggered = time.monotonic()
    deadline = triggered + 200
    while ready.count() == 0:
        assert time.monotonic() < deadline, f"{name} did not run in JupyterLab"
        nothing_started = started.count() == 0
        if dialog_accept.count() and dialog_accept.first.is_visible():
            dialog_accept.first.click()
        elif time.monotonic() - triggered > (40 if nothing_started else 90):
            page.goto(f"{url}/lab/tree/notebooks/{name}?token={token}")
            run_all_in_front(page, name)
            clicked = triggered = time.monotonic()
        elif nothing_started and time.monotonic() - clicked > 6:
            run_all_in_front(page, name)
            clicked = time.monotonic()
        page.wait_for_timeout(300)
    panel.locator(IDLE).wait_for(timeout=120_000)


def drive_explorer(page) -> None:
    """Notebook 03's explorer: Send, a slider, the stop box; read the output each time."""
    from playwright.sync_api import expect

    send = page.locator(".jp-NotebookPanel:visible button.widget-button", has_text="Send")
    send.scroll_into_view_if_needed()
    explorer = send.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    output = explorer.locator(".widget-output")

    send.click()
    expect(output).to_contain_text('"max_new_tokens": 20', timeout=60_000)
    expect(output).to_contain_text("answered by: local stand-in")
    first, first_pixels = output.inner_text(), output.screenshot()

    slider = explorer.locator(".widget-hslider").first
    handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
    for value in range(21, 26):
        # One key at a time, each seen before the next: on a busy machine the widget re-renders
        # between presses and a burst of five keys once moved it by one.
        handle.focus()
        page.keyboard.press("ArrowRight")
        expect(readout).to_have_text(str(value), timeout=30_000)
    stop = explorer.locator(".widget-textarea", has_text="stop").locator("textarea")
    stop.fill(",")
    send.click()
    expect(output).to_contain_text('"max_new_tokens": 25', timeout=60_000)
    expect(output).to_contain_text('"stop": [')
    assert output.inner_text() != first
    assert output.screenshot() != first_pixels, "the explorer's output looks the same"


def no_typeset_maths(page) -> None:
    """Notebook 08 is full of dollar amounts: none may be typeset as a formula (JupyterLab reads
    a pair of unescaped ``$`` as maths, which garbled whole paragraphs)."""
    maths = in_front(page).locator("mjx-container, .MathJax, .katex")
    assert maths.count() == 0, maths.first.inner_text()


def drive_calculator(page) -> None:
    """Notebook 08's calculator: table on load, a change, a bad value, the fix."""
    from playwright.sync_api import expect

    cost = page.locator(".jp-NotebookPanel:visible .widget-text", has_text="USD / request")
    cost = cost.locator("input")
    cost.scroll_into_view_if_needed()
    calculator = cost.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    output = calculator.locator(".widget-output")
    table = output.locator("table")

    expect(table).to_be_visible(timeout=30_000)  # nothing touched yet
    expect(table).to_contain_text("serverless, Free plan")
    expect(table).to_contain_text("endpoint aws/nvidia-t4/x1 × 1 (always on, steady)")
    table_pixels = output.screenshot()

    replicas = calculator.locator(".widget-hslider", has_text="replicas").locator(".noUi-handle")
    replicas.focus()
    page.keyboard.press("ArrowRight")
    expect(table).to_contain_text("× 2 (always on, steady)", timeout=30_000)
    expect(table).to_contain_text("730.0")  # 2 × 0.5 $/h × 730 h
    assert output.screenshot() != table_pixels, "the calculator's table looks the same"

    cost.fill("-1")
    cost.press("Enter")
    expect(output).to_contain_text("cannot be negative", timeout=30_000)
    expect(table).to_have_count(0)
    assert len(output.inner_text().strip().splitlines()) == 1, output.inner_text()

    cost.fill("0.000195")
    cost.press("Enter")
    expect(table).to_contain_text("serverless, PRO plan", timeout=30_000)
    expect(output).not_to_contain_text("cannot be negative")
