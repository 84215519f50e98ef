"""Who may reach which documents. Prep documents are private.

Documents live in collections, and Wagtail's document permission policy decides per collection
who may choose, add or change them (a facilitator's own collection is granted to them alone).
Everything here asks that policy, so granting a collection is the one way to share a document.
Participants never use the /documents/ URL: their material links stream the file
(bookings/material_links.py), checked against their booking.
"""

from django.db.models import QuerySet
from wagtail.documents import get_document_model
from wagtail.permissions import policy_registry


def _policy():
    return policy_registry.get_by_type(get_document_model())


def documents_user_may_attach(user) -> QuerySet:
    """The documents the user may pick for a message or a material: those Wagtail's chooser offers them."""
    return _policy().instances_user_has_any_permission_for(user, ["choose"])


def documents_user_may_see(user) -> QuerySet:
    """The documents whose titles an admin screen may show the user: those they may choose or change."""
    return _policy().instances_user_has_any_permission_for(user, ["choose", "change"])


def user_may_download(user, document) -> bool:
    """Whether /documents/<id>/<name> may serve this document to the user: only to its collection's keepers."""
    return _policy().user_has_any_permission_for_instance(user, ["choose", "change"], document)
