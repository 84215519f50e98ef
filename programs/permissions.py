"""Permission policies: who may do what to programs, facilitator profiles and service-owned rows.

Wagtail's own views ask these policies, so every page action (edit, publish, unpublish, privacy,
revisions, history, usage, copy, move, delete, bulk actions, listing and search) follows one rule
instead of a hook per view.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

from programs.access import programs_led_by, sees_everything

# What leading a program allows on its page. Not "delete" or "lock" on their own: Wagtail lets
# whoever may change and publish a leaf page delete it, as it did before.
LEADING_ACTIONS = frozenset({"change", "publish"})


class ServiceOwnedPolicy(ModelPermissionPolicy):
    """The usual model permissions, less the actions a service owns (`owned_actions`)."""

    def __init__(self, model, *, owned_actions: set[str]):
        super().__init__(model)
        self.owned_actions = owned_actions

    def user_has_permission(self, user, action):
        return action not in self.owned_actions and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


@dataclass(frozen=True)
class LeadingPermission:
    """A page permission held by leading a program, shaped as Wagtail reads a GroupPagePermission."""

    page: Page
    permission: Permission

    @property
    def page_id(self) -> int:
        return self.page.pk


class ProgramPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permissions, plus change and publish on each program the user leads.

    Who leads a program is its `facilitators` (the users linked to them), the same rule that
    scopes cohorts and bookings in `programs.access`; no group has to be kept in step with it.
    Facilitators hold only "add" on the program index: they create programs, and Wagtail lets
    them edit the drafts they own (so the creator of a new program is never locked out).
    """

    def get_all_permissions_for_user(self, user):
        granted = super().get_all_permissions_for_user(user)
        if not user.is_active or user.is_anonymous or user.is_superuser:
            return granted
        led = list(Page.objects.filter(pk__in=programs_led_by(user).values("pk")))
        if not led:
            return granted
        permissions = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=[f"{action}_page" for action in LEADING_ACTIONS]
        )
        return [*granted, *(LeadingPermission(page=page, permission=perm) for page in led for perm in permissions)]

    def users_with_any_permission(self, actions, include_superusers=True):
        users = super().users_with_any_permission(actions, include_superusers)
        if not LEADING_ACTIONS & set(actions):
            return users
        return _with_leaders(users, Q(facilitator__programs__isnull=False))

    def users_with_any_permission_for_instance(self, actions, instance, include_superusers=True):
        users = super().users_with_any_permission_for_instance(actions, instance, include_superusers)
        if not LEADING_ACTIONS & set(actions):
            return users
        return _with_leaders(users, Q(facilitator__programs__pk=instance.pk))

    def explorable_instances(self, user):
        pages = super().explorable_instances(user)
        if not user.is_active or user.is_superuser:
            return pages
        # Wagtail lets "add" on a section explore every page in it. Here "add" shows the section
        # itself and the pages the user may edit (their own drafts, the programs they lead), so
        # one facilitator's programs, drafts and titles stay out of another's listing and search.
        reachable = self.instances_user_has_any_permission_for(
            user, {"change", "publish", "lock", "unlock", "bulk_delete"}
        )
        for perm in self.get_cached_permissions_for_user(user):
            reachable |= Page.objects.ancestor_of(perm.page, inclusive=True)
        return pages.filter(pk__in=reachable.values("pk"))


def _with_leaders(users, leaders: Q):
    return get_user_model().objects.filter(
        Q(pk__in=users.values("pk")) | (Q(is_active=True) & leaders)
    ).distinct()


class FacilitatorProfilePolicy(ModelPermissionPolicy):
    """Facilitator profiles: staff edit every one and link logins; a facilitator edits only their own.

    Linking a login to a profile is what makes someone the leader of that profile's programs,
    so a facilitator who could edit another's profile could take over their programs.
    Nobody but staff deletes a profile.
    """

    OWN_ROW_ACTIONS = frozenset({"change", "delete"})

    def user_has_permission(self, user, action):
        if action == "delete" and not sees_everything(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in self.OWN_ROW_ACTIONS or sees_everything(user) or instance.user_id == user.pk

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        if sees_everything(user) or set(actions) - self.OWN_ROW_ACTIONS:
            return instances
        return instances.filter(user=user) if "change" in actions else instances.none()


class InstancePermissionMixin:
    """Wagtail's generic edit, delete, history and usage views check the model permission only;
    this also asks the model's policy about the one row the view shows."""

    instance_action = "change"

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


def checked_per_instance(view_class, *, action: str = "change"):
    """`view_class` that refuses a row the user may not `action` (403), not only the model."""
    return type(
        f"PerInstance{view_class.__name__}", (InstancePermissionMixin, view_class), {"instance_action": action}
    )
