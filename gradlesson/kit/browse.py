"""Drive a kit's presenter in headless Chromium (selenium, the system's chromedriver): for its tests and its screenshots.

Selenium is a test extra (``pip install .[test]``), not a dependency of the kit: it is imported when a browser is
opened. Selenium Manager never runs (it would download a driver): the driver's path is always given.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

__all__ = [
    "CHROMEDRIVER",
    "CHROMIUM",
    "chromium",
    "fit_page",
    "missing_browser",
    "open_presenter",
    "press",
    "screenshots",
    "state",
    "wait_for",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# the presenter's state as the tests and the screenshots read it, from the DOM and reveal.js
STATE_JS = """
const slide = Reveal.getCurrentSlide(), video = slide.querySelector('video.kit-clip'), idx = Reveal.getIndices();
return {h: idx.h, v: idx.v, step: parseInt(slide.dataset.step, 10), stem: slide.dataset.stem,
        caption: document.getElementById('kit-caption').textContent,
        captionShown: getComputedStyle(document.getElementById('kit-caption')).display !== 'none',
        where: document.getElementById('kit-where').textContent,
        paused: video.paused, ended: video.ended, currentTime: video.currentTime, duration: video.duration,
        readyState: video.readyState, overview: Reveal.isOverview(), through: !document.getElementById('kit-through').hidden};
"""


def missing_browser() -> str | None:
    """Why no browser can be driven here (one line), or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is missing: install the Debian package {package} (scripts/setup.sh does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


@contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 720) -> Iterator[WebDriver]:
    """A headless Chromium of ``width`` × ``height`` with a fresh profile in ``profile``, logging the console
    (``driver.get_log('browser')``) and the DevTools network events (``driver.get_log('performance')``)."""
    reason = missing_browser()
    if reason:
        raise RuntimeError(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio",
        f"--user-data-dir={profile}", "--autoplay-policy=no-user-gesture-required", f"--window-size={width},{height}",
    ):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> Any:
    """``condition()``'s first truthy value, polled every ``every`` seconds; ``TimeoutError`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still {value!r} after {timeout} s")
        time.sleep(every)


def state(driver: WebDriver) -> dict[str, Any]:
    """Where the presenter is: reveal's indices, the step, its clip's state, the caption on screen."""
    result: dict[str, Any] = driver.execute_script(STATE_JS)
    return result


def press(driver: WebDriver, *keys: str) -> None:
    """Send ``keys`` (selenium ``Keys`` values or characters) to the page as a keyboard would, one after another."""
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()


def fit_page(driver: WebDriver, width: int, height: int) -> None:
    """Resize the current window so that its page (not the window with its frame) is ``width`` × ``height``."""
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    outer = driver.get_window_size()
    driver.set_window_size(outer["width"] + width - inner[0], outer["height"] + height - inner[1])


def open_presenter(driver: WebDriver, kit: Path) -> None:
    """Load ``kit/index.html`` from file:// and wait for reveal.js to be ready and the first clip to be loaded."""
    driver.get((kit / "index.html").resolve().as_uri())
    wait_for(lambda: driver.execute_script("return window.Reveal && Reveal.isReady() && Reveal.getCurrentSlide() !== undefined"))
    wait_for(lambda: state(driver)["readyState"] >= 2)


def screenshots(kit: Path, docs: Path, profile: Path, width: int = 1280, height: int = 720) -> tuple[Path, Path]:
    """Open ``kit``'s presenter, play its first steps into the next beat's first step and save ``docs/kit_step.png``
    (the main window while the step plays, its caption on screen) and ``docs/kit_speaker.png`` (the speaker view)."""
    from selenium.webdriver.common.keys import Keys

    docs.mkdir(parents=True, exist_ok=True)
    step_png, speaker_png = docs / "kit_step.png", docs / "kit_speaker.png"
    with chromium(profile, width, height) as driver:
        open_presenter(driver, kit)
        fit_page(driver, width, height)
        press(driver, Keys.ARROW_RIGHT)  # the first → plays step 1
        wait_for(lambda: state(driver)["ended"], timeout=120)
        press(driver, Keys.ARROW_RIGHT)
        wait_for(lambda: state(driver)["caption"] and state(driver)["currentTime"] > 0.4 * state(driver)["duration"], timeout=120)
        driver.execute_script("Reveal.getCurrentSlide().querySelector('video').pause()")
        driver.save_screenshot(str(step_png))
        main = driver.current_window_handle
        press(driver, "s")
        speaker = wait_for(lambda: [h for h in driver.window_handles if h != main])[0]
        driver.switch_to.window(speaker)
        fit_page(driver, width, height)
        wait_for(lambda: driver.execute_script("return document.querySelector('.speaker-controls-notes .value')?.textContent"))
        time.sleep(1.5)  # the previews' posters
        driver.save_screenshot(str(speaker_png))
    return step_png, speaker_png
