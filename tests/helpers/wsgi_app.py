# The smallest WSGI application: gunicorn serves it on the socket it was
# passed, and the test reads this body back.
def application(environ, start_response):
    body = b"served by gunicorn\n"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
