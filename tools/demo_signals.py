#!/usr/bin/env python3
"""demo_signals.py -- writes data/usdchf_signals.jsonl, the demo signals `make run` feeds
`tradeloop run`: three virtual accounts trading USDCHF on the shipped half-hourly prices with
moving-average crossovers of different lengths (va1 10/50 bars, va2 20/100, va3 5/30, long and
short). Deterministic: the same data file gives the same signals. Standard library only.

usage: tools/demo_signals.py data/usdchf_30m.csv > data/usdchf_signals.jsonl
"""
import json
import sys

ACCOUNTS = [("va1", 10, 50, "20000"), ("va2", 20, 100, "10000"), ("va3", 5, 30, "15000")]


def main():
    rows = [l.split(",") for l in open(sys.argv[1]).read().splitlines()[1:]]
    ts = [r[0] for r in rows]
    px = [float(r[1]) for r in rows]
    out = []
    for name, fast, slow, qty in ACCOUNTS:
        side = 0  # +1 long, -1 short, 0 flat
        for i in range(slow, len(px)):
            f = sum(px[i - fast + 1:i + 1]) / fast
            s = sum(px[i - slow + 1:i + 1]) / slow
            want = 1 if f > s * 1.0005 else -1 if f < s * 0.9995 else side
            if want == side:
                continue
            n = len(out)
            if side != 0:
                out.append((i, {"id": "%s-%06d-x" % (name, i), "ts": ts[i], "account": name,
                                "symbol": "USDCHF", "action": "EXIT"}))
            out.append((i, {"id": "%s-%06d-e" % (name, i), "ts": ts[i], "account": name,
                            "symbol": "USDCHF",
                            "action": "ENTER_LONG" if want > 0 else "ENTER_SHORT",
                            "qty": qty, "expected_price": "%.4f" % px[i]}))
            side = want
            del n
    out.sort(key=lambda p: p[0])
    for _, s in out:
        sys.stdout.write(json.dumps(s, sort_keys=True) + "\n")


main()
