"""The web console in a real browser (headless Chromium driven by selenium), against a running server.

Started by scripts/console-test.sh, which passes (environment):
  CONSOLE_URL, CONSOLE_ADMIN_TOKEN, CONSOLE_DEPLOYER_TOKEN, CONSOLE_AGENT_BIN, CONSOLE_WORK_DIR, CONSOLE_SCREENSHOTS.

A deployer creates a deployment through the API; one admin signs in to the console, finds it in the approvals
inbox, approves it with a comment, executes it, watches it pass a timed cohort gate and reach Completed, rolls it
back with a reason and a confirmation, and reads the audit page. Every wait is explicit (WebDriverWait on what the
page shows); a screenshot is taken at each step. Prints `N passed, N failed` like any test runner.
"""

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["CONSOLE_URL"]
ADMIN = os.environ["CONSOLE_ADMIN_TOKEN"]
DEPLOYER = os.environ["CONSOLE_DEPLOYER_TOKEN"]
AGENT = os.environ["CONSOLE_AGENT_BIN"]
WORK = os.environ["CONSOLE_WORK_DIR"]
SHOTS = os.environ["CONSOLE_SCREENSHOTS"]
NODES = 4
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
WAT = '(module (func (export "handle") (result i32) i32.const 2))'

results = {"passed": 0, "failed": 0}


def api(method, path, token, body=None, raw=None, content_type="application/json"):
    """One API call; returns (status, parsed JSON or None)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(URL + "/api/v1/wasm" + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"PASS {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")
    return condition


def wait_until(description, predicate, timeout=30, interval=0.25):
    """Polls `predicate` (an API-side wait, no browser) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {description}")


def security_headers():
    """A plain HTTP request: the shell's headers, the redirect, and that no token is needed."""
    parsed = urllib.parse.urlparse(URL)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("GET", "/console")
    redirect = connection.getresponse()
    redirect.read()
    check("GET /console redirects to /console/", redirect.status == 301 and redirect.getheader("Location") == "/console/",
          f"{redirect.status} {redirect.getheader('Location')}")
    connection.request("GET", "/console/")
    shell = connection.getresponse()
    body = shell.read().decode()
    check("the shell is served without a token", shell.status == 200 and "<main" in body, str(shell.status))
    check("Content-Security-Policy is strict", shell.getheader("Content-Security-Policy") == CSP,
          str(shell.getheader("Content-Security-Policy")))
    check("X-Content-Type-Options: nosniff", shell.getheader("X-Content-Type-Options") == "nosniff")
    check("Referrer-Policy: no-referrer", shell.getheader("Referrer-Policy") == "no-referrer")
    check("the shell has an ETag and revalidates", bool(shell.getheader("ETag")) and shell.getheader("Cache-Control") == "no-cache")
    connection.request("GET", "/console/js/app.js")
    script = connection.getresponse()
    script.read()
    check("scripts are text/javascript", script.getheader("Content-Type") == "text/javascript; charset=utf-8",
          str(script.getheader("Content-Type")))
    connection.close()


def prepare_fleet_and_deployment():
    """Simulated agents in production (tier=edge), the module, and the deployer's deployment; returns (agents, id)."""
    status, token = api("POST", "/enrollment-tokens", ADMIN, {
        "expiresInSeconds": 3600, "maxUses": NODES, "environment": "production", "labels": {"tier": "edge"},
        "description": "console test"})
    assert status == 201, (status, token)
    agents = subprocess.Popen(
        [AGENT, "--simulate", str(NODES), "--orchestrator-url", URL, "--enrollment-token", token["token"], "--insecure",
         "--heartbeat-seconds", "1", "--latency-ms", "100-400", "--prefix", "console", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "agents.log"), "w"))

    def enrolled():
        status, body = api("GET", "/nodes?environment=production", ADMIN)
        nodes = body.get("nodes", []) if status == 200 else []
        return len([n for n in nodes if n.get("health") in ("Healthy", "Degraded")]) >= NODES
    wait_until(f"{NODES} simulated nodes to enroll and heartbeat", enrolled, timeout=40)
    check(f"{NODES} simulated agents enrolled", enrolled())

    wasm_path = os.path.join(WORK, "hello.wasm")
    wat_path = os.path.join(WORK, "hello.wat")
    with open(wat_path, "w") as f:
        f.write(WAT)
    subprocess.run(["wat2wasm", wat_path, "-o", wasm_path], check=True)
    with open(wasm_path, "rb") as f:
        status, version = api("PUT", "/modules/hello/versions/1.0.0", DEPLOYER, raw=f.read(), content_type="application/wasm")
    assert status == 201, (status, version)
    status, deployment = api("POST", "/deployments", DEPLOYER, {
        "moduleName": "hello", "moduleVersion": "1.0.0", "environment": "production", "target": {"labels": {"tier": "edge"}},
        "entrypoint": "handle", "description": "console browser test",
        # Two cohorts behind a timed gate: the rollout is InProgress long enough for its screenshot.
        "strategy": {"type": "canary", "steps": [50, 100], "pause": "6s"}})
    assert status == 201, (status, deployment)
    check("the deployer created a deployment pending approval", deployment["status"] == "PendingApproval", deployment["status"])
    check("the deployer may not approve it (allowedActions)", "approve" not in deployment["allowedActions"],
          str(deployment["allowedActions"]))
    return agents, deployment["id"], version["digest"]


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Console:
    def __init__(self, driver):
        self.driver = driver
        self.shot_number = 0

    def wait(self, description, predicate, timeout=30):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(lambda d: predicate())
        except TimeoutException:
            self.shot("timeout")
            raise TimeoutError(f"timed out after {timeout}s waiting for {description}")

    def settled(self, description, read, accept, timeout=30):
        """Polls `read()` until `accept` takes its value, and returns that value, or the last one read (the check
        that follows then fails with it). The page re-renders on every streamed event, so reading again after a wait
        can catch a node being replaced: every check reads the value its wait accepted."""
        seen = [read()]
        def accepted():
            seen[0] = read()
            return accept(seen[0])
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(lambda d: accepted())
        except TimeoutException:
            self.shot("timeout")
            print(f"timed out after {timeout}s waiting for {description}")
        return seen[0]

    def find(self, css):
        try:
            found = self.driver.find_elements(By.CSS_SELECTOR, css)
            return found[0] if found and found[0].is_displayed() else None
        except StaleElementReferenceException:
            return None

    def text(self, css):
        try:
            element = self.find(css)
            return element.text if element else ""
        except StaleElementReferenceException:
            return ""

    def attributes(self, css, name):
        """The `name` attribute of every element `css` names; None while a re-render replaces them."""
        try:
            return [element.get_attribute(name) for element in self.driver.find_elements(By.CSS_SELECTOR, css)]
        except StaleElementReferenceException:
            return None

    def shot(self, name):
        self.shot_number += 1
        path = os.path.join(SHOTS, f"{self.shot_number:02d}-{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot {path}")

    def status(self):
        return self.text("#deployment-status")

    def click(self, css, description):
        """Clicks what `css` names once it is shown; a node a refresh replaced meanwhile is looked up again."""
        def clicked():
            element = self.find(css)
            if not element or not element.is_enabled():
                return False
            try:
                element.click()
                return True
            except StaleElementReferenceException:
                return False
        self.wait(description, clicked)

    def type(self, css, text, description):
        """Types into what `css` names; focused, it is left alone by refreshes (a replaced one is looked up again)."""
        def typed():
            element = self.find(css)
            if not element:
                return False
            try:
                element.send_keys(text)
                return True
            except StaleElementReferenceException:
                return False
        self.wait(description, typed)

    def click_action(self, action):
        self.click(f'#deployment-actions button[data-action="{action}"]', f"the {action} button")


def run_browser(console, deployment_id, digest):
    d = console.driver
    d.get(URL + "/console")
    console.wait("the sign-in form", lambda: console.find("#token"))
    check("/console lands on the sign-in page", d.current_url == URL + "/console/", d.current_url)
    console.find("#token").send_keys(ADMIN)
    console.find('#sign-in-form button[type="submit"]').click()
    who = console.settled("who is signed in", lambda: console.text("#whoami"), lambda t: t == "console-admin (admin)")
    check("the header shows who is signed in", who == "console-admin (admin)", who)
    check("the token is in no URL", ADMIN not in d.current_url)
    check("the console sets no cookie", d.get_cookies() == [], str(d.get_cookies()))
    check("the token is in session storage only",
          d.execute_script("return sessionStorage.length === 1 && localStorage.length === 0"))

    card_css = f'#inbox-pending article[data-deployment="{deployment_id}"]'
    console.wait("the deployment in the inbox", lambda: console.find(card_css))
    parts = ("hello 1.0.0", "production", "console-deployer", "2 cohorts", "canary")
    card = console.settled("the inbox card's text", lambda: console.text(card_css),
                           lambda t: all(part in t for part in parts) and digest[:19] in t)
    check("the inbox card names module, environment, creator and cohort plan", all(part in card for part in parts), card)
    check("the inbox card shows the digest", digest[:19] in card, card)
    console.shot("inbox")
    comment = "Reviewed in the console: digest matches the release notes"
    console.type(f"#comment-{deployment_id}", comment, "the comment box")
    console.click(card_css + ' button[data-action="approve"]', "the approve button")
    ready_css = f'#inbox-ready article[data-deployment="{deployment_id}"]'
    console.wait("the approved deployment under 'ready to start'", lambda: console.find(ready_css))
    check("approving moved it to 'Approved, ready to start'", not console.find(card_css))
    console.shot("inbox-approved")

    console.click(ready_css + " h3 a", "the link to the deployment")
    console.wait("the deployment page", lambda: console.status() == "Approved")
    summary = console.settled("the approval comment", lambda: console.text("#deployment-summary"), lambda t: comment in t)
    check("the deployment page shows the approval comment", comment in summary, summary)
    console.click_action("execute")
    console.wait("the confirmation dialog", lambda: console.find("#confirm-dialog[open]"))
    console.find("#confirm-ok").click()
    status, progress = console.settled("the rollout at its timed gate",
                                       lambda: (console.status(), console.text("#deployment-progress")),
                                       lambda seen: seen[0] == "InProgress" and "timer gate" in seen[1], timeout=45)
    check("the rollout is InProgress, waiting at the gate after its first cohort",
          status == "InProgress" and "timer gate" in progress, f"{status}: {progress}")
    console.shot("deployment-in-progress")
    # "Live": the page follows the event stream (polling would also get there, so the mode is asserted too).
    live = console.settled("the live mode", lambda: console.text("#live-status"), lambda t: "live (event stream)" in t)
    check("the page follows the event stream, not polling", "live (event stream)" in live, live)
    console.wait("Completed (live, without reloading)", lambda: console.status() == "Completed", timeout=60)
    progress = console.settled("the completed progress", lambda: console.text("#deployment-progress"), lambda t: "100%" in t)
    check("all nodes converged", "100%" in progress, progress)
    actions = console.settled("the actions of a completed deployment", lambda: console.attributes("#deployment-actions button", "data-action"),
                              lambda seen: seen == ["rollback"])
    check("no rollout action is offered but rollback", actions == ["rollback"], str(actions))
    console.shot("deployment-completed")

    console.click_action("rollback")
    console.wait("the rollback dialog", lambda: console.find("#confirm-dialog[open]"))
    reason = "Console test: rolling back on purpose"
    console.find("#confirm-reason").send_keys(reason)
    console.find("#confirm-ok").click()
    time.sleep(1)  # time for a request that should not be sent to arrive
    _, unsent = api("GET", f"/deployments/{deployment_id}", ADMIN)
    check("rollback is not sent before the confirmation box is ticked",
          console.find("#confirm-dialog[open]") is not None and (unsent or {}).get("status") == "Completed", str((unsent or {}).get("status")))
    console.find("#confirm-check").click()
    console.shot("rollback-dialog")
    console.find("#confirm-ok").click()
    console.wait("RolledBack", lambda: console.status() == "RolledBack", timeout=30)
    summary = console.settled("the rollback reason", lambda: console.text("#deployment-summary"), lambda t: reason in t)
    check("the reason is shown", reason in summary, summary)
    console.shot("deployment-rolled-back")

    d.set_window_size(390, 844)
    console.wait("the phone layout", lambda: d.execute_script("return window.innerWidth") <= 400)
    check("phone width: the page does not scroll sideways",
          d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))
    console.shot("deployment-phone")
    d.set_window_size(1280, 800)

    console.find('#nav a[data-page="audit"]').click()
    target = f"deployment:{deployment_id}"
    console.type("#filter-target", target, "the audit target filter")
    console.find('form.filters button[type="submit"]').click()
    wanted = ["deployment.create", "deployment.approve", "deployment.execute", "deployment.rollback"]
    audit = console.settled("the audit events of the deployment", lambda: console.text("#audit-table"),
                            lambda t: all(a in t for a in wanted) and t.count("console-admin") >= 3)
    check("the audit page shows create, approve, execute and rollback", all(a in audit for a in wanted), audit)
    check("the admin is the actor of approve and rollback", audit.count("console-admin") >= 3, audit)
    console.shot("audit")

    console.find('#nav a[data-page="nodes"]').click()
    console.wait("the nodes page", lambda: console.find("#filter-health"))
    Select(console.find("#filter-health")).select_by_value("Healthy")
    console.find('form.filters button[type="submit"]').click()
    caption, nodes_table = console.settled(f"{NODES} healthy nodes listed",
                                           lambda: (console.text("#page table caption"), console.text("#page table tbody")),
                                           lambda seen: seen[0].startswith(f"Nodes ({NODES})") and seen[1].count("Healthy") == NODES)
    check("the nodes page lists the simulated nodes, filtered by health",
          caption.startswith(f"Nodes ({NODES})") and nodes_table.count("Healthy") == NODES, f"{caption}: {nodes_table}")
    console.shot("nodes")

    console.find('#nav a[data-page="releases"]').click()
    console.wait("the releases page", lambda: console.find("#filter-release-status"))
    Select(console.find("#filter-release-status")).select_by_value("")
    console.find('form.filters button[type="submit"]').click()
    releases = console.settled("the release of hello in production", lambda: console.text("#page table"),
                               lambda t: "hello" in t and "production" in t)
    check("the releases page lists the deployment's release", "hello" in releases and "production" in releases, releases)
    console.shot("releases")

    errors = [entry["message"] for entry in d.get_log("browser")
              if entry["level"] == "SEVERE" and "/api/v1/wasm/events" not in entry["message"]]
    check("no script error or policy violation in the browser console", not errors, "; ".join(errors))

    console.find("#sign-out").click()
    console.wait("the sign-in form again", lambda: console.find("#token"))
    check("sign out clears the token", d.execute_script("return sessionStorage.length === 0"))


def main():
    print(f"console-test: screenshots in {SHOTS}")
    agents = None
    driver = None
    try:
        security_headers()
        agents, deployment_id, digest = prepare_fleet_and_deployment()
        driver = browser()
        run_browser(Console(driver), deployment_id, digest)
        status, body = api("GET", f"/deployments/{deployment_id}", ADMIN)
        comments = [a.get("comment") for a in body["approvals"]["received"]]
        check("the API records the console's approval with its comment", any(c and "Reviewed in the console" in c for c in comments),
              str(comments))
    except Exception as error:  # a failed wait or call is one failure, reported with what it waited for
        check("the console test ran to the end", False, repr(error))
    finally:
        if driver:
            driver.quit()
        if agents:
            agents.terminate()
            try:
                agents.wait(timeout=10)
            except subprocess.TimeoutExpired:
                agents.kill()
    print(f"console-test: screenshots in {SHOTS}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
