"""Load the demo site; safe to run again (see programs/demo/loader.py)."""

from django.core.management.base import BaseCommand, CommandError

from programs.demo.loader import DemoNotLoadable, load_demo


class Command(BaseCommand):
    help = "Create the demo pages, programs, cohorts and logins that are missing; safe to run again."

    def handle(self, *args, **options):
        try:
            tally = load_demo(quiet=options["verbosity"] < 2)
        except DemoNotLoadable as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(tally.summary())
