"""The built book opened in headless Chromium with no network, as a reader would open it.

For every page of _toc.yml: the page loads, MathJax (served from the build, not a CDN) typesets
every equation without a TeX error, no raw ``$$`` or ``$\\alpha$`` is left in the text, every image
is present, non-empty and decoded, no cell output shows an error, and every local link resolves.
The browser blocks every http(s) request and the test asserts that no page asked for anything but
local files. A full-page screenshot of each page goes to ``_build/screenshots/``.

Needs Debian's ``chromium`` and ``chromium-driver`` packages (``apt-get install -y chromium
chromium-driver``) and the ``selenium`` Python package; skipped with a message when they are
missing or when the book has not been built (``make test`` builds it first).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from bookpages import HTML, NOT_BUILT, SCREENSHOTS, built, check_local_target, page_html, toc_pages

PAGES = toc_pages()
INSTALL = ("install Chromium from the distribution's packages to run it, e.g. "
           "`sudo apt-get install -y chromium chromium-driver` on Debian/Ubuntu")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-extension:", "devtools:")


def _find_browser() -> tuple[str, str] | None:
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver") if os.path.exists(p)), None)
    return (browser, driver) if browser and driver else None


WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
function poll() {
  const hasMath = document.querySelector('.math') !== null;
  if (document.readyState !== 'complete') { return setTimeout(poll, 50); }
  if (!hasMath) { return done('no math'); }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    return MathJax.startup.promise.then(() => done('typeset')).catch(e => done('MathJax failed: ' + e));
  }
  if (Date.now() - t0 > 30000) { return done('MathJax never started'); }
  setTimeout(poll, 100);
}
poll();
"""

INSPECT = """
const main = document.querySelector('main') || document.body;
const maths = Array.from(document.querySelectorAll('.math'));
const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
  acceptNode(node) {
    for (let e = node.parentElement; e; e = e.parentElement) {
      const tag = e.tagName.toLowerCase();
      if (['pre', 'code', 'script', 'style', 'textarea', 'mjx-container'].includes(tag)) return NodeFilter.FILTER_REJECT;
      if (e.classList && (e.classList.contains('highlight') || e.classList.contains('math'))) return NodeFilter.FILTER_REJECT;
    }
    return NodeFilter.FILTER_ACCEPT;
  }
});
const raw = [];
const rawTex = /\\$\\$|\\$\\\\[A-Za-z]|\\\\\\(|\\\\\\[|\\\\begin\\{/;
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (rawTex.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 120));
}
return {
  title: document.title,
  h1: (document.querySelector('main h1') || {}).textContent || '',
  math: maths.length,
  untypeset: maths.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.trim().slice(0, 120)),
  tex_errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
                   .map(e => e.getAttribute('data-mjx-error') || e.textContent.trim().slice(0, 120)),
  raw_tex: raw,
  images: Array.from(main.querySelectorAll('img')).map(i => ({
      src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight})),
  figures: main.querySelectorAll('figure').length,
  empty_figures: Array.from(main.querySelectorAll('figure')).filter(f => !f.querySelector('img, svg, table'))
                   .map(f => (f.id || '') + ' ' + f.textContent.trim().slice(0, 80)),
  output_errors: Array.from(document.querySelectorAll('.output.error, .output.traceback, .cell_output .traceback, .system-message, .problematic'))
                   .map(e => e.textContent.trim().slice(0, 200)),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
};
"""


def _requests(driver) -> tuple[list[str], list[str]]:
    """URLs requested and local loads that failed, from the performance log since the last call."""
    urls, failed, ids = [], [], {}
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg.get("method") == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            ids[params.get("requestId")] = url
            urls.append(url)
        elif msg.get("method") == "Network.loadingFailed":
            url = ids.get(params.get("requestId"), "?")
            failed.append(f"{url}: {params.get('errorText')} {params.get('blockedReason') or ''}".strip())
    return urls, failed


@pytest.fixture(scope="module")
def browsed():
    """Open every page once; return what the browser saw."""
    if not built():
        pytest.skip(NOT_BUILT)
    found = _find_browser()
    if found is None:
        pytest.skip(f"no Chromium/chromedriver found: the browser test needs one; {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("the selenium package is missing (pip install -r requirements.txt)")
    browser, driver_path = found
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach for the network
    profile = tempfile.mkdtemp(prefix="hopcore-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", "--window-size=1280,1000",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=driver_path))
    results: dict[str, dict] = {}
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(60)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
        # the browser's own start-up traffic (blocked by the resolver rules) is not a page's
        driver.get("about:blank")
        time.sleep(0.5)
        driver.get_log("performance")
        driver.get_log("browser")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for page in PAGES:
            path = page_html(page)
            if not path.exists():
                results[page] = {"missing": str(path)}
                continue
            driver.get(path.resolve().as_uri())
            mathjax = driver.execute_async_script(WAIT_FOR_MATHJAX)
            info = driver.execute_script(INSPECT)
            info["mathjax"] = mathjax
            info["requests"], info["failed_loads"] = _requests(driver)
            info["console"] = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            height = int(min(max(info["height"], 600), 16000))
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
            target = SCREENSHOTS / (page.replace("/", "__") + ".png")
            target.write_bytes(base64.b64decode(shot["data"]))
            info["screenshot"] = str(target)
            results[page] = info
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return results


def _page(browsed, page) -> dict:
    info = browsed[page]
    assert "missing" not in info, f"{page} is in _toc.yml but was not built: {info.get('missing')}"
    return info


@pytest.mark.parametrize("page", PAGES)
def test_page_loads(browsed, page):
    info = _page(browsed, page)
    assert info["h1"].strip(), f"{page}: no title heading rendered"
    assert not info["console"], f"{page}: JavaScript errors: {info['console']}"
    assert not info["output_errors"], f"{page}: error output or unresolved markup: {info['output_errors']}"
    assert Path(info["screenshot"]).stat().st_size > 0


@pytest.mark.parametrize("page", PAGES)
def test_equations_are_typeset(browsed, page):
    info = _page(browsed, page)
    assert info["mathjax"] in ("typeset", "no math"), f"{page}: {info['mathjax']}"
    assert not info["untypeset"], f"{page}: equations left as raw TeX: {info['untypeset'][:5]}"
    assert not info["tex_errors"], f"{page}: TeX errors: {info['tex_errors'][:5]}"
    assert not info["raw_tex"], f"{page}: raw TeX in the text: {info['raw_tex'][:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_images_are_present_and_decoded(browsed, page):
    info = _page(browsed, page)
    for img in info["images"]:
        assert img["complete"] and img["width"] > 0 and img["height"] > 0, f"{page}: image not rendered: {img['src']}"
        problem = check_local_target(img["src"], page_html(page))
        assert problem is None, f"{page}: {problem}"
    assert not info["empty_figures"], f"{page}: figures without an image: {info['empty_figures']}"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(browsed, page):
    info = _page(browsed, page)
    broken = [p for p in (check_local_target(url, page_html(page)) for url in info["links"]) if p]
    assert not broken, f"{page}: broken links: {broken[:10]}"


@pytest.mark.parametrize("page", PAGES)
def test_nothing_requested_from_the_network(browsed, page):
    info = _page(browsed, page)
    remote = [u for u in info["requests"] if not u.startswith(LOCAL_SCHEMES)]
    assert not remote, f"{page}: requested from the network: {remote[:10]}"
    assert not info["failed_loads"], f"{page}: local resources failed to load: {info['failed_loads'][:10]}"


def test_math_is_served_from_the_build():
    if not built():
        pytest.skip(NOT_BUILT)
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 0
    fonts = list((HTML / "_static" / "mathjax").rglob("*.woff"))
    assert fonts, "MathJax fonts missing from _static/mathjax"
