"""binance_client.py -- a small Binance spot API v3 client for the tests, standard library only.

Signs as rest-api.md says (HMAC-SHA256 of the query string followed by the body, hex, in the
`signature` parameter; the API key in X-MBX-APIKEY), so the exchange is checked against the
documented rules by code that does not share tradeloop's.

    c = Client(port, api_key, secret)
    status, body, headers = c.call('POST', '/api/v3/order', symbol='BTCUSDT', ...)
"""
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request


def load_keys(path):
    """{account: (api_key, secret)} of a --keys file."""
    return {k['account']: (k['api_key'], k['secret']) for k in json.load(open(path))}


class Client:
    def __init__(self, port, api_key=None, secret=None, host='127.0.0.1'):
        self.base = 'http://%s:%d' % (host, port)
        self.api_key, self.secret = api_key, secret

    def public(self, path, **params):
        q = urllib.parse.urlencode(params)
        return self._send('GET', path + ('?' + q if q else ''), None, {})

    def call(self, method, path, in_body=None, signature=None, timestamp=None, **params):
        """A SIGNED request: params in the query string, or in a form body when in_body (POST's
        default). signature/timestamp override the computed ones (for refusal tests)."""
        if in_body is None:
            in_body = method == 'POST'
        params = dict(params)
        params['timestamp'] = timestamp if timestamp is not None else int(time.time() * 1000)
        text = urllib.parse.urlencode(params)
        sig = signature or hmac.new(self.secret.encode(), text.encode(),
                                    hashlib.sha256).hexdigest()
        text += '&signature=' + sig
        headers = {'X-MBX-APIKEY': self.api_key} if self.api_key is not None else {}
        if in_body:
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
            return self._send(method, path, text.encode(), headers)
        return self._send(method, path + '?' + text, None, headers)

    def _send(self, method, target, data, headers):
        req = urllib.request.Request(self.base + target, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read()), {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read()), {k.lower(): v for k, v in e.headers.items()}


def clients_from_argv(argv):
    """For the e2e tests' heredocs: argv = [script, port, keys file]: a Client per account of the
    keys file, and 'public' with no key."""
    port = int(argv[1])
    out = {name: Client(port, key, secret) for name, (key, secret) in load_keys(argv[2]).items()}
    out['public'] = Client(port)
    return out
