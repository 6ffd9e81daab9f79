#!/usr/bin/env python3
"""Drives the sandbox's chat page in headless Chromium (Debian's chromium and
chromium-driver, through Selenium), as a person evaluating the bot would.

Run by SandboxTests (`./scripts/test.sh` installs what it needs); exits 0 when
every check passed, 1 with the failed check on stderr otherwise. Nothing is
downloaded: the browser and its driver are the machine's.
"""

import argparse
import os
import re
import struct
import sys
import tempfile
import time
import zlib

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"


class CheckFailed(Exception):
    pass


class Page:
    def __init__(self, driver, url):
        self.driver = driver
        self.url = url
        self.stage = "opening the page"

    def at(self, stage):
        """Names what the test does now, for the failure report."""
        self.stage = stage
        print(f"- {stage}", flush=True)

    def wait(self, what, probe, timeout=20.0):
        """Polls probe until it returns something truthy; stale elements (the page redraws) retry."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = probe()
                if value:
                    return value
            except StaleElementReferenceException:
                pass
            if time.monotonic() > deadline:
                raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}\n--- chat:\n{self.chat_text()}")
            time.sleep(0.1)

    def chat_text(self):
        try:
            return self.driver.find_element(By.ID, "chat").text
        except WebDriverException:
            return "(no chat)"

    def bubble_texts(self):
        return [node.text for node in self.driver.find_elements(By.CSS_SELECTOR, "#messages .bubble .text")]

    def see(self, pattern, timeout=20.0):
        """Waits for a message, toast or alert matching the regular expression."""
        regex = re.compile(pattern)
        return self.wait(f"text matching {pattern!r}", lambda: regex.search(self.chat_text()), timeout)

    def send(self, text):
        box = self.driver.find_element(By.ID, "text")
        box.clear()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def press(self, label, timeout=20.0):
        """Clicks the newest inline button with this label."""
        def click():
            buttons = [b for b in self.driver.find_elements(By.CSS_SELECTOR, "#messages .inline-button") if b.text == label]
            if not buttons:
                return False
            buttons[-1].click()
            return True
        self.wait(f"an inline button {label!r}", click, timeout)

    def press_until(self, label, pattern, timeout):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while not regex.search(self.chat_text()):
            if time.monotonic() > deadline:
                raise CheckFailed(f"no text matching {pattern!r} after pressing {label!r} for {timeout} s\n--- chat:\n{self.chat_text()}")
            self.press(label)
            end = time.monotonic() + 3
            while time.monotonic() < end and not regex.search(self.chat_text()):
                time.sleep(0.1)

    def current_step(self):
        nodes = self.driver.find_elements(By.CSS_SELECTOR, "#conversation .steps li.current")
        return nodes[0].text if nodes else None

    def set_service(self, name, mode):
        """Switches a fake service in the inspector and waits until the sandbox has it."""
        def choose():
            Select(self.driver.find_element(By.CSS_SELECTOR, f"select[data-service={name}]")).select_by_value(mode)
            return True
        self.wait(f"the {name} service switch", choose)
        self.wait(f"the sandbox to have the {name} service {mode}", lambda: self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/state').then(r => r.json()).then(s => done(s.services.some(x => x.name === arguments[0] && x.mode === arguments[1])));",
            name, mode))


def run(page, screenshot_mid):
    driver = page.driver
    driver.get(page.url)
    page.wait("the people list", lambda: driver.find_elements(By.CSS_SELECTOR, ".person.selected"))

    page.at("the happy path, as README's first user does it")
    page.send("/start")
    page.see(r"Hello, Alex!")
    page.press("Create request")
    page.see(r"Choose a category:")
    page.press("Plumbing")
    step = page.wait("the inspector to show the current step", page.current_step)
    flow = driver.find_element(By.ID, "flow-name").text
    if not flow:
        raise CheckFailed("the inspector shows no flow name")
    page.send("Water is leaking under the kitchen sink")
    page.wait("the inspector to move past the step " + step, lambda: page.current_step() not in (None, step))
    page.send("Block 4, apartment 12")
    page.press("Skip")
    page.see(r"Please check your request")
    page.wait("the inspector at the confirmation step", lambda: page.current_step())
    if screenshot_mid:
        driver.save_screenshot(screenshot_mid)
    page.press("Confirm")
    page.see(r"Request R-\S+ created\.")

    page.at("hostile text is shown as text and runs nothing")
    page.send(HOSTILE)
    page.wait("the hostile text shown as text", lambda: HOSTILE in page.bubble_texts())
    page.see(r"didn't understand")
    if driver.find_elements(By.CSS_SELECTOR, "#messages img:not(.photo)"):
        raise CheckFailed("a message's text became an <img> element")
    try:
        alert = driver.switch_to.alert
        raise CheckFailed(f"a script ran: an alert says {alert.text!r}")
    except NoAlertPresentException:
        pass

    page.at("one page in two tabs shows the same chat")
    count = len(page.bubble_texts())
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(page.url)
    page.wait("the second tab to show the same messages", lambda: len(page.bubble_texts()) == count)
    page.send("/help")
    driver.switch_to.window(driver.window_handles[-1])
    driver.close()
    driver.switch_to.window(first)
    page.wait("the first tab to show what the second sent", lambda: "/help" in page.bubble_texts())

    page.at("a second person, in Russian")
    form = driver.find_element(By.ID, "add-person")
    form.find_element(By.NAME, "name").send_keys("Olga")
    Select(form.find_element(By.NAME, "language")).select_by_value("ru")
    driver.find_element(By.ID, "add-person-button").click()
    page.wait("Olga selected", lambda: any(
        node.text == "Olga" for node in driver.find_elements(By.CSS_SELECTOR, ".person.selected .name")))
    page.send("/start")
    page.see(r"Здравствуйте, Olga!")
    page.press("Создать заявку")
    page.press("Сантехника")
    page.send("Течёт кран на кухне, вода на полу")
    page.see(r"Введите адрес|адрес")
    page.send("Дом 4, квартира 7")
    page.press("Пропустить")
    page.see(r"Проверьте заявку")

    page.at("the request service fails: the localized notice; then it recovers and Confirm succeeds")
    page.set_service("request", "failing")
    page.press("Подтвердить")
    page.see(r"Сервис временно недоступен", timeout=30)
    page.set_service("request", "normal")
    # As a person would: press again until the gateway's circuit (open after the failures, for
    # 5 s in the sandbox) lets the call through.
    page.press_until("Подтвердить", r"Заявка R-\S+ создана\.", timeout=40)

    page.at("a photo from this computer is shown in the chat")
    photo = write_png(os.path.join(tempfile.mkdtemp(prefix="sandbox-photo-"), "leak.png"))
    driver.find_element(By.ID, "photo-input").send_keys(photo)
    page.wait("the photo shown", lambda: any(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
        for img in driver.find_elements(By.CSS_SELECTOR, "#messages img.photo")))


def write_png(path, width=64, height=48):
    """A small PNG picture (blue water over a grey floor), so no binary file lives in the repository."""
    rows = b"".join(b"\x00" + (b"\x2a\xab\xee" if y < height // 2 else b"\x88\x88\x88") * width for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshot", required=True, help="PNG saved at the end, pass or fail")
    parser.add_argument("--screenshot-mid", help="PNG saved at the first request's confirmation step")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--driver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1440,900",
                     "--lang=en-US", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=args.driver), options=options)
    failure = None
    errors = []
    page = Page(driver, args.url)
    try:
        run(page, args.screenshot_mid)
    except (CheckFailed, WebDriverException) as error:
        failure = f"while checking that {page.stage}: {error}"
    finally:
        try:
            driver.save_screenshot(args.screenshot)
            errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
        finally:
            driver.quit()
    if errors:
        failure = (failure + "\n" if failure else "") + "errors in the browser console:\n" + "\n".join(e["message"] for e in errors)
    if failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
