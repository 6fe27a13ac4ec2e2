"""People who log in (users), their security level, and their API tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tabwise.core import audit
from tabwise.core.tenancy import TenantManager


class Level(models.IntegerChoices):
    """Five security levels: 1 is the highest (the owner), 5 the lowest."""

    OWNER = 1, _("1 - Owner")
    MANAGER = 2, _("2 - Manager")
    OFFICE = 3, _("3 - Office")
    FIELD = 4, _("4 - Field / sales")
    VIEWER = 5, _("5 - View only")


class User(AbstractUser):
    """A person who logs in. Belongs to exactly one business and has one security level (1 highest, 5 lowest)."""

    business = models.ForeignKey("tenants.Business", on_delete=models.PROTECT, related_name="users")
    level = models.PositiveSmallIntegerField(
        _("security level"),
        choices=Level.choices,
        default=Level.VIEWER,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, help_text=_("E.164; alerts are texted here"))
    language = models.CharField(
        _("language"), max_length=8, default="en", choices=[("en", "English"), ("es", "Español")]
    )

    # Authentication looks users up across businesses by username; everything else uses `members`.
    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[misc,assignment]
    members = TenantManager()

    history = audit.history(excluded_fields=["password", "last_login"])

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="user_level_1_to_5")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def needs_two_factor(self) -> bool:
        """Level-1 users must sign in with a second factor."""
        return self.level == Level.OWNER


class ApiToken(models.Model):
    """A user's API token. Only a SHA-256 digest is stored; the token acts with its user's business and level."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
