"""Run the site, its database task worker and the bookings tick together; Ctrl-C stops them all.

Used by `make run`. Prints where to go and how to log in once the server answers.
"""

import os
import sys

from supervise import PYTHON, run_together

HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = int(os.environ.get("RUN_PORT", "8000"))


if __name__ == "__main__":
    sys.exit(run_together([
        [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        [PYTHON, "manage.py", "db_worker", "--interval", "1", "--no-reload", "--queue-name", "*"],
        [PYTHON, "manage.py", "bookings_tick", "--every", "20"],
    ], host=HOST, port=PORT))
