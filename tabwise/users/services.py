"""Changes to users, their security table and their API tokens."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tabwise.core import audit
from tabwise.core.errors import DomainError, NotFound
from tabwise.tenants.models import Business, FunctionLevel
from tabwise.users import security, tokens
from tabwise.users.models import ApiToken, User


def set_function_level(*, actor: User, function: str, level: int) -> FunctionLevel | None:
    """Set the minimum level of `function` for the actor's business; back to the default removes the override.

    Atomic; writes SECURITY_LEVEL_CHANGED; raises DomainError(field="level") for a level outside 1..5.
    """
    security.check(actor, "users.set_security")
    definition = security.get_function(function)
    if not 1 <= level <= 5:
        raise DomainError("Choose a level from 1 to 5.", field="level")
    with transaction.atomic():
        current = FunctionLevel.objects.filter(function=function).first()
        old = current.level if current else definition.default_level
        if old == level:
            return current
        if level == definition.default_level:
            if current is not None:
                current.delete()
            result = None
        elif current is None:
            result = FunctionLevel.objects.create(function=function, level=level)
        else:
            current.level = level
            current.save(update_fields=["level"])
            result = current
        Business.objects.filter(pk=actor.business_id).update(security_version=F("security_version") + 1)
        actor.business.refresh_from_db(fields=["security_version"])
        audit.record_event(
            event_type="SECURITY_LEVEL_CHANGED", payload={"function": function, "old": old, "new": level}
        )
    return result


def create_user(
    *,
    actor: User,
    username: str,
    password: str,
    level: int,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """Add a user to the actor's business. Atomic; writes USER_CREATED."""
    security.check(actor, "users.manage_users")
    if User.objects.filter(username=username).exists():
        raise DomainError("That username is taken.", field="username")
    with transaction.atomic():
        user = User(
            business=actor.business,
            username=username,
            level=level,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
        )
        user.set_password(password)
        user.save()
        audit.record_event(event_type="USER_CREATED", subject=user, payload={"username": username, "level": level})
    return user


def create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token to the actor; the raw token is returned once. Writes API_TOKEN_CREATED."""
    security.check(actor, "users.manage_api_tokens")
    if not name.strip():
        raise DomainError("Give the token a name.", field="name")
    with transaction.atomic():
        token, raw = tokens.create_token(user=actor, name=name.strip())
        audit.record_event(event_type="API_TOKEN_CREATED", subject=actor, payload={"token": token.prefix})
    return token, raw


def revoke_api_token(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens. Writes API_TOKEN_REVOKED; NotFound for anyone else's token."""
    security.check(actor, "users.manage_api_tokens")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record_event(event_type="API_TOKEN_REVOKED", subject=actor, payload={"token": token.prefix})
    return token
