"""The SMS adapters: the local one records only; the Twilio one calls Twilio's Messages API through its SDK."""

from __future__ import annotations

import json
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from tabwise.notifications import adapters

ACCOUNT_SID = "AC" + "1" * 32


class RecordingHttp(HttpClient):
    """Stands in for the network at the SDK's HTTP boundary: records the request, answers as Twilio does."""

    def __init__(self) -> None:
        super().__init__(logger=None, is_async=False)  # type: ignore[arg-type]
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, uri: str, params: Any = None, data: Any = None, **kwargs: Any) -> Response:
        self.requests.append({"method": method, "uri": uri, "data": data})
        return Response(201, json.dumps({"sid": "SM" + "a" * 32, "status": "queued"}))


def test_the_twilio_adapter_creates_a_message_and_returns_its_sid():
    http = RecordingHttp()
    adapter = adapters.TwilioSms(Client(ACCOUNT_SID, "token", http_client=http))

    sid = adapter.send(
        adapters.OutgoingSms(
            message_id=7,
            to="+13125550190",
            body="Your payment is due.",
            from_number="+13125550100",
            status_callback="https://tabwise.example/messages/sms/status/?ref=abc",
        )
    )

    assert sid == "SM" + "a" * 32
    assert http.requests == [
        {
            "method": "POST",
            "uri": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            "data": {
                "To": "+13125550190",
                "From": "+13125550100",
                "Body": "Your payment is due.",
                "StatusCallback": "https://tabwise.example/messages/sms/status/?ref=abc",
            },
        }
    ]


def test_the_local_adapter_sends_nothing_and_names_the_outbox_row():
    sid = adapters.LocalSms().send(adapters.OutgoingSms(message_id=7, to="+13125550190", body="Hi", from_number=""))

    assert sid == "local-7"


def test_settings_choose_the_sms_adapter(settings):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = "token"

    settings.SMS_BACKEND = "local"
    local = adapters.sms_adapter()
    settings.SMS_BACKEND = "twilio"
    twilio = adapters.sms_adapter()

    assert type(local) is adapters.LocalSms
    assert type(twilio) is adapters.TwilioSms
