"""Run the site and its database task worker together; Ctrl-C stops both.

Used by `make run`. Prints where to go and how to log in once both are up.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = os.environ.get("RUN_PORT", "8000")


def main() -> int:
    os.chdir(ROOT)
    children = [
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]),
        subprocess.Popen([PYTHON, "manage.py", "db_worker", "--interval", "1", "--no-reload", "--queue-name", "*"]),
    ]
    time.sleep(2)
    subprocess.run([PYTHON, "manage.py", "demo_logins", "--site-url", f"http://{HOST}:{PORT}"], check=False)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [child for child in children if child.returncode not in (0, -signal.SIGINT, None)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
