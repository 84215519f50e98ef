"""Permission policies for rows that only services may create, change or delete."""

from wagtail.permission_policies import ModelPermissionPolicy


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
