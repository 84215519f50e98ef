"""The programs app's domain errors."""


class ProgramsError(Exception):
    """A rule of the programs domain said no; `message` is fit to show a facilitator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SessionNotMovable(ProgramsError):
    pass


class RuleError(ProgramsError):
    """A cohort's rule cannot be turned into a finite, non-empty list of dates."""


class EmptyRule(RuleError):
    pass


class UnboundedRule(RuleError):
    pass


class TooManySessions(RuleError):
    pass
