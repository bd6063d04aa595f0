"""The staff access log (statement §5): every staff read of personal data the gateway announced.

It stays in the requests service rather than a service of its own: its only readers are the
privacy officer's desk and the access requests that export it (a person's access package lists
who read their data), both here, and its traffic is one small record per staff read. A service
of its own would add a process, a database and a consumer group to run, and a query hop for
every access package, without isolating anything the requests service does not already hold.
"""
