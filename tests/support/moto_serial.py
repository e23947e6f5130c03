"""moto's server, answering one request at a time.

`moto_server` serves requests on many threads, and moto does not lock a table while it applies
a conditional write or a transaction: two concurrent TransactWriteItems can both pass their
conditions. DynamoDB itself is serialisable here, and the store's race tests depend on that, so
the tests run moto single-threaded. (One request at a time costs little: moto answers in ~3 ms.)

Usage: python3 moto_serial.py -p PORT [-H HOST]
"""

import argparse

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, app, threaded=False, use_reloader=False)


if __name__ == "__main__":
    main()
