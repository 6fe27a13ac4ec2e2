"""README command 1, for real: `tabwise up` on a fresh SQLite serves the login page, a demo user signs in and sees
only their business's data, and Ctrl-C stops the web server and the worker cleanly."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="`tabwise up` runs on SQLite; checked once, in the SQLite leg"
)
START_TIMEOUT = 300  # a bound on waiting, not an assertion on speed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "tabwise up exited early"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {START_TIMEOUT} s")


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    opener.open(urllib.request.Request(base + "/account/login/", data=data.encode(), headers={"Referer": base}))
    return opener


def other_business_customer(database: Path, username: str) -> str:
    """The last name of a customer of another business whose last name no customer of `username`'s business has."""
    with sqlite3.connect(database) as db:
        return db.execute(
            """SELECT c.last_name FROM customers_customer c
               WHERE c.kind = 'person' AND c.business_id != (SELECT business_id FROM users_user WHERE username = ?)
                 AND c.last_name NOT IN (SELECT last_name FROM customers_customer
                    WHERE business_id = (SELECT business_id FROM users_user WHERE username = ?))
               ORDER BY c.id LIMIT 1""",
            (username, username),
        ).fetchone()[0]


def test_tabwise_up_serves_the_demo_and_stops_on_ctrl_c(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(TABWISE_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log = (tmp_path / "up.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "tabwise.cli", "up", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/account/login/", process)
        printed = (tmp_path / "up.log").read_text()
        usernames = re.findall(r"^\s*level 3\s+(\S+)", printed, flags=re.MULTILINE)
        password = re.search(r"password:\s*(\S+)", printed, flags=re.IGNORECASE).group(1)
        assert len(usernames) == 3, printed

        opener = sign_in(base, usernames[0], password)
        customers = opener.open(base + "/customers/").read().decode()

        assert "Customers" in customers and "No customers match" not in customers
        other_name = other_business_customer(tmp_path / "tabwise.sqlite3", usernames[0])
        found = opener.open(base + "/customers/?q=" + urllib.parse.quote(other_name)).read().decode()
        assert "No customers match" in found, f"{other_name} of another business is visible"
        from tabwise.demo import generator

        assert generator.BUSINESSES[0].name in opener.open(base + "/").read().decode()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        log.close()
    assert code == 0
    assert "Stopping Tabwise" in (tmp_path / "up.log").read_text()
