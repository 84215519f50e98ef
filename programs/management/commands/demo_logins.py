"""Print where the demo site is and how to log in to it, in a small box."""

from django.conf import settings
from django.core.management.base import BaseCommand

from programs.demo.loader import DEMO_ACCOUNTS, demo_password


class Command(BaseCommand):
    help = "Show the demo site's address, admin address, logins and email outbox."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL,
            help="The address the site answers on (default: the SITE_URL setting, %(default)s).",
        )

    def handle(self, *args, site_url: str, **options):
        site_url = site_url.rstrip("/")
        lines = [
            "Inner Child Circles: demo",
            "",
            f"Site:   {site_url}/",
            f"Admin:  {site_url}/admin/",
            "",
        ]
        for account in DEMO_ACCOUNTS:
            lines.append(f"{account['label']}:")
            lines.append(f"  username  {account['username']}")
            lines.append(f"  password  {self._password_shown(account)}")
        lines += ["", self._outbox_line()]
        self.stdout.write(_boxed(lines))

    def _password_shown(self, account: dict) -> str:
        # On a public server the password lives only in the environment; don't echo it
        # into a terminal log.
        if settings.IS_PRODUCTION:
            return f"(the value of {account['password_env']})"
        return demo_password(account)

    def _outbox_line(self) -> str:
        if settings.EMAIL_BACKEND == "bookings.outbox.EmailBackend":
            return f"Emails:  written as files to {settings.EMAIL_FILE_PATH}"
        return f"Emails:  sent through {settings.EMAIL_BACKEND} (file outbox: {settings.EMAIL_FILE_PATH})"


def _boxed(lines: list[str]) -> str:
    width = max(len(line) for line in lines)
    top = "╭" + "─" * (width + 2) + "╮"
    bottom = "╰" + "─" * (width + 2) + "╯"
    body = [f"│ {line.ljust(width)} │" for line in lines]
    return "\n".join([top, *body, bottom])
