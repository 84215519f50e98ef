from programs.models.cohorts import Cohort, CohortQuerySet
from programs.models.people import Facilitator, Venue
from programs.models.program import ProgramFormat, ProgramPage, ProgramPriceTier
from programs.models.sessions import Session, SessionMaterial

__all__ = [
    "Cohort",
    "CohortQuerySet",
    "Facilitator",
    "ProgramFormat",
    "ProgramPage",
    "ProgramPriceTier",
    "Session",
    "SessionMaterial",
    "Venue",
]
