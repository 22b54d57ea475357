"""Reads about people and their roles, shared by every app's selectors."""


def is_admin(user) -> bool:
    """Programme admins (and superusers) see and may do everything."""
    return bool(user.is_authenticated and (user.is_programme_admin or user.is_superuser))
