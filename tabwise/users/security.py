"""The five security levels per function.

Each app declares its functions in `functions.py` (`FUNCTIONS = [Function(...)]`); they are collected into one
registry at start-up. A business may override a function's minimum level on the "Set security" page. The check is
one comparison: `user.level <= required_level(business, function)` (level 1 is the highest).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.module_loading import autodiscover_modules
from ninja.errors import AuthenticationError

from tabwise.core.errors import PermissionDenied

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tabwise.tenants.models import Business
    from tabwise.users.models import User


@dataclass(frozen=True)
class Function:
    """One thing a user can do, with the lowest level allowed to do it by default."""

    name: str
    default_level: int
    label: StrOrPromise
    module: StrOrPromise = ""

    def __post_init__(self) -> None:
        if not 1 <= self.default_level <= 5:
            raise ValueError(f"{self.name}: default_level must be 1..5")


_registry: dict[str, Function] = {}


def register(*functions: Function) -> None:
    for function in functions:
        if function.name in _registry and _registry[function.name] != function:
            raise ValueError(f"security function {function.name} registered twice")
        _registry[function.name] = function


def autodiscover() -> None:
    """Import every app's functions.py, each calling `register`."""
    autodiscover_modules("functions")


def registry() -> dict[str, Function]:
    return dict(_registry)


def get_function(name: str) -> Function:
    try:
        return _registry[name]
    except KeyError:
        raise KeyError(f"unknown security function {name!r}: declare it in the app's functions.py") from None


# (business id, security version) -> levels; per process. A change bumps Business.security_version in the same
# transaction, and every request loads its business afresh, so no process serves a stale table.
_levels_cache: dict[tuple[int, int], dict[str, int]] = {}


def levels_for(business: Business) -> dict[str, int]:
    """The minimum level of every registered function for `business`, overrides applied."""
    from tabwise.core.tenancy import business_scope
    from tabwise.tenants.models import FunctionLevel

    key = (business.pk, business.security_version)
    cached = _levels_cache.get(key)
    if cached is None:
        with business_scope(business):
            overrides = dict(FunctionLevel.objects.values_list("function", "level"))
        cached = {name: overrides.get(name, function.default_level) for name, function in _registry.items()}
        if len(_levels_cache) > 10_000:
            _levels_cache.clear()
        _levels_cache[key] = cached
    return cached


def required_level(business: Business, name: str) -> int:
    get_function(name)
    return levels_for(business)[name]


def can(user: User, name: str) -> bool:
    """Whether `user` may use the function `name` in their business."""
    get_function(name)
    if not user.is_authenticated or not user.is_active:
        return False
    return user.level <= levels_for(user.business)[name]


def check(user: User, name: str) -> None:
    """Raise PermissionDenied unless `user` may use `name` (services call this too)."""
    if not can(user, name):
        raise PermissionDenied(f"Your security level does not allow: {get_function(name).label}")


F = TypeVar("F", bound=Callable[..., Any])


def requires(name: str) -> Callable[[F], F]:
    """Decorate a view or an API operation (first argument: the request) with the function it needs.

    A denied web request gets a 403 page; a denied API call gets a 403 problem. The function name is kept on the
    callable (`security_function`) so the security matrix test can find every guarded route.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            is_api = request.path.startswith("/api/")
            if not request.user.is_authenticated:
                if is_api:
                    raise AuthenticationError()
                return redirect_to_login(request.get_full_path())
            if is_api:
                check(request.user, name)
            elif not can(request.user, name):
                raise DjangoPermissionDenied(get_function(name).label)
            return view(request, *args, **kwargs)

        wrapper.security_function = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
