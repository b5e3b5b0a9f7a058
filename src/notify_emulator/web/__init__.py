"""The HTTP edge: what turns a request into a handler call and the result back into an answer.

Request context, the one handler contract, authentication (JWT), request schemas, response
encoding, the errors' envelopes and the middlewares live here; handlers in ``api/`` and
``admin/`` see plain data and return a :data:`~notify_emulator.web.handlers.Result`.
"""
