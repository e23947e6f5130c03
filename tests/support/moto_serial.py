"""moto's server, answering one request at a time.

`moto_server` serves requests on many threads, and moto does not lock a table while it applies
a conditional write or a transaction: two concurrent TransactWriteItems can both pass their
conditions. DynamoDB itself is serialisable here, and the store's race tests depend on that, so
the tests run moto single-threaded. (One request at a time costs little: moto answers in ~3 ms.)

With `-p 0` the operating system picks the port and the server prints it as its first line of
standard output once it is listening. A caller that picked a "free" port itself and passed it in
could lose it to another process before moto bound it (a test server in the same test binary
did, and the DynamoDB tests then talked to it).

Usage: python3 moto_serial.py -p PORT [-H HOST]
"""

import argparse
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=False)
    print(server.socket.getsockname()[1], flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
