import pytest

from tabwise.core.testing.factories import CustomerFactory


@pytest.mark.django_db
def test_level_3_user_sees_their_customers_list(business, user, client_as):
    CustomerFactory(business=business, last_name="Zimmerman")

    response = client_as(user).get("/customers/")

    assert response.status_code == 200
    assert b"Zimmerman" in response.content
