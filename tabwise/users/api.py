from ninja import Router, Schema

from tabwise.core.http import AuthenticatedHttpRequest

router = Router(tags=["users"])


class MeOut(Schema):
    username: str
    level: int
    business: str
    time_zone: str


@router.get("/me", response=MeOut, operation_id="get_me")
def get_me(request: AuthenticatedHttpRequest) -> MeOut:
    """Who the token acts as: the user, their level and their business."""
    user = request.user
    return MeOut(
        username=user.username,
        level=user.level,
        business=user.business.name,
        time_zone=user.business.time_zone,
    )
