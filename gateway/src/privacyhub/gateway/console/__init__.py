"""The staff console at /staff: server-rendered pages over the same gateway functions as the staff API.

A staff member signs in (a pasted staff token, or in development a local sign-in page) and gets an
encrypted session cookie; every form carries a CSRF token. The pages ask the owning services
through `ask_owner` and `command_owner`, validate with the staff API's own forms and log reads of
personal data with its `StaffReads`, so no rule lives here twice.
"""
