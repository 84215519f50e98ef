"""What of other facilitators' pages and documents an admin screen may name.

Wagtail decides who may act on a page or document through its permission policies
(programs.permissions, and collection permissions for documents), but a few of its screens
show what they may not act on: the page chooser, the explorer of a page under a section the
user may add to, the move confirmation before its permission check, bulk-action confirmations
(which list "items you cannot act on" by title) and the admin API's documents. A page's admin
title is its latest draft's, so each of these handed one facilitator another's drafts.
Here each follows the same rule: a page is named only if the user may explore it, a document
only if the user may choose or change it in its collection.
"""

from django.db.models import QuerySet
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction as PageDeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.views.bulk_actions.add_tags import AddTagsBulkAction
from wagtail.documents.views.bulk_actions.add_to_collection import AddToCollectionBulkAction
from wagtail.documents.views.bulk_actions.delete import DeleteBulkAction as DocumentDeleteBulkAction
from wagtail.models import Page
from wagtail.permissions import policy_registry

from programs.documents import documents_user_may_see


def pages_user_may_see(user) -> QuerySet:
    return policy_registry.get_by_type(Page).explorable_instances(user)


class NamesOnlyWhatTheUserMaySee:
    """A bulk action whose confirmation lists, among the items the user may not act on, only
    those the user may see; the others are left out as if their ids had not been sent."""

    def visible(self, user) -> QuerySet:
        raise NotImplementedError

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        refused = extra["items_with_no_access"]
        if refused:
            visible = set(self.visible(self.request.user).filter(pk__in=[item.pk for item in refused])
                          .values_list("pk", flat=True))
            extra["items_with_no_access"] = [item for item in refused if item.pk in visible]
        return objects, extra


class VisiblePages(NamesOnlyWhatTheUserMaySee):
    def visible(self, user):
        return pages_user_may_see(user)


class VisibleDocuments(NamesOnlyWhatTheUserMaySee):
    def visible(self, user):
        return documents_user_may_see(user)


# Registered after Wagtail's (hook order 1), so these replace its actions of the same type.
BULK_ACTIONS = [
    type(action.__name__, (mixin, action), {})
    for mixin, actions in (
        (VisiblePages, (PageDeleteBulkAction, MoveBulkAction, PublishBulkAction, UnpublishBulkAction)),
        (VisibleDocuments, (DocumentDeleteBulkAction, AddToCollectionBulkAction, AddTagsBulkAction)),
    )
    for action in actions
]


class VisibleDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    """The admin API's documents (listing and detail): those the user may choose or change."""

    def get_queryset(self):
        return super().get_queryset().filter(pk__in=documents_user_may_see(self.request.user).values("pk"))
