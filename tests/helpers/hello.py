# The server of the README's first command: gunicorn serves this WSGI
# application on the socket bindretry passed it (LISTEN_FDS).
def app(environ, start_response):
    body = b"hello from bindretry\n"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
