"""Posts a contact message to a running Compose topology and reads it back through the gateway.

    uv run python deploy/compose/smoke_test.py GATEWAY_URL STAFF_TOKEN

The message goes the whole way: the gateway seals it for the contact service and publishes it
to Kafka (SASL/SCRAM over TLS), the contact service stores it encrypted in its database, and a
support agent's read asks the contact service over Kafka again. Prints only the reference and
timings; the form holds no real person's data.
"""

import argparse
import sys
import time

import httpx

FORM = {
    "email": "smoke.test@example.org",
    "first_name": "Smoke",
    "last_name": "Test",
    "message": "Does the deployment store and return this question?",
}
READ_BACK_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gateway_url")
    parser.add_argument("staff_token")
    args = parser.parse_args()
    started = time.monotonic()
    with httpx.Client(base_url=args.gateway_url, timeout=10) as gateway:
        posted = gateway.post("/v1/contact", json=FORM)
        if posted.status_code != 202:
            print(f"smoke test: POST /v1/contact answered {posted.status_code}", file=sys.stderr)
            return 1
        reference = posted.json()["reference"]
        print(f"smoke test: contact message {reference} accepted")
        headers = {
            "Authorization": f"Bearer {args.staff_token}",
            "X-Access-Reason": "deployment smoke test",
        }
        deadline = time.monotonic() + READ_BACK_SECONDS
        while True:
            read = gateway.get(f"/v1/staff/contact/{reference}", headers=headers)
            if read.status_code == 200:
                break
            # 404 until the contact service stored it; 504 while a reply is slow.
            if read.status_code not in (404, 504) or time.monotonic() > deadline:
                print(
                    f"smoke test: reading {reference} answered {read.status_code}",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
    question = read.json()
    if question["email"] != FORM["email"] or question["message"] != FORM["message"]:
        print(f"smoke test: {reference} came back with other content", file=sys.stderr)
        return 1
    print(
        f"smoke test: {reference} read back through the gateway in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
