"""What every page's shell needs: the business, the menu the user may see, and the unread message count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tabwise.notifications import selectors as notification_selectors
    from tabwise.users import menu

    return {
        "business": user.business,
        "menu": menu.menu_for(user),
        "unread_count": notification_selectors.unread_count_for(user),
    }
