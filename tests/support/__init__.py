"""What test modules share. A test module imports from here and from the code under test, never
from another test module or a conftest (tests/unit/test_test_layout.py checks it); fixtures live in
the conftest files, built from these modules.

The servers and services: `endpoints` (where the session's Kafka and MongoDB listen), `services`
(each service's settings for this run, its database as an observer sees it, and `running_service`,
the one fixture factory for every service a test runs), `in_loop_gateway` and `offline_gateway`,
`copies` and `waiting_copy` (a service's second copy), `clock`, `mailbox`, `kafka`, `waiting`.

The people and what they do: `people` (one unique data subject per test), `naming` (test words of
letters only), `browsers`, `visitors` (consent choices and page views), `contact` (the contact
form), `rights` (filing, verifying, deciding and downloading rights requests), `complaints`,
`retention` (legal holds, due deletions, the deletion log), `staff` (staff tokens).

Stored data as the services read it: `contact_store`, `consent_store`, `requests_store`, and
`subject_keys` (a key store a test steps into).
"""
