#!/usr/bin/env python3
"""prom_parse.py -- an independent parser of the Prometheus text exposition format 0.0.4.

Reads the exposition from a file (or - for stdin), checks its grammar and the rules a scraper
relies on, and prints {"families": {name: {"type", "help"}}, "samples": [{"name", "labels",
"value"}]} as JSON on stdout (values as their text: "+Inf" and "NaN" are not JSON numbers).
By default every family needs HELP and TYPE before its samples (tradeloop writes both);
--lenient allows untyped samples, as the format does. Exit 0 when valid; 1 with one line on stderr naming the line and what is wrong.

Checked: metric and label names; label values' escapes (only \\\\, \\" and \\n); values are
floats; HELP and TYPE come before a family's samples, at most one of each per family; a family's
samples are one group (no interleaving); no sample repeated; counters are not negative;
histograms: every series has buckets with le, in ascending le order, cumulative (non-decreasing),
ending with le="+Inf", and _sum and _count, _count equal to the +Inf bucket. Python stdlib only.
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Bad(Exception):
    pass


def parse_value(text, where):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise Bad(f"{where}: value {text!r} is not a float")
    return float(text)


def parse_labels(s, i, where):
    """s[i] is '{'; returns (labels dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if i < len(s) and s[i] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Bad(f"{where}: bad label name at column {i + 1}")
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad(f"{where}: label {name} is not followed by =\"")
        i += 2
        value = []
        while True:
            if i >= len(s):
                raise Bad(f"{where}: unterminated value of label {name}")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise Bad(f"{where}: bad escape \\{nxt} in label {name}")
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise Bad(f"{where}: raw newline in label {name}")
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise Bad(f"{where}: label {name} twice")
        labels[name] = "".join(value)
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] == "}":
            continue
        else:
            raise Bad(f"{where}: expected , or }} after label {name}")


def family_of(sample_name, types):
    """The family a sample belongs to: a histogram's _bucket/_sum/_count go to the histogram."""
    for suffix in ("_bucket", "_sum", "_count"):
        if sample_name.endswith(suffix):
            base = sample_name[: -len(suffix)]
            if types.get(base) in ("histogram", "summary"):
                return base
    return sample_name


def unescape_help(text, where):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            nxt = text[i + 1:i + 2]
            if nxt not in ("\\", "n"):
                raise Bad(f"{where}: bad escape \\{nxt} in HELP")
            out.append("\n" if nxt == "n" else "\\")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse(text, strict=True):
    if text and not text.endswith("\n"):
        raise Bad("the exposition does not end with a newline")
    helps, types, samples = {}, {}, []
    done = set()  # families whose group of samples ended
    current = None  # family of the last sample
    seen = set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = f"line {n}"
        if line.strip() == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    raise Bad(f"{where}: bad metric name {name!r}")
                if name in done or name == current:
                    raise Bad(f"{where}: {parts[1]} of {name} after its samples")
                if parts[1] == "HELP":
                    if name in helps:
                        raise Bad(f"{where}: second HELP for {name}")
                    helps[name] = unescape_help(parts[3] if len(parts) > 3 else "", where)
                else:
                    kind = parts[3] if len(parts) > 3 else ""
                    if kind not in TYPES:
                        raise Bad(f"{where}: unknown type {kind!r} for {name}")
                    if name in types:
                        raise Bad(f"{where}: second TYPE for {name}")
                    types[name] = kind
            continue  # other comments are allowed
        m = NAME.match(line)
        if not m:
            raise Bad(f"{where}: a sample line must start with a metric name")
        name, i = m.group(0), m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(line, i, where)
        rest = line[i:]
        if not rest.startswith(" "):
            raise Bad(f"{where}: expected a space before the value")
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise Bad(f"{where}: expected a value and an optional timestamp")
        value = parse_value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise Bad(f"{where}: bad timestamp {fields[1]!r}")
        fam = family_of(name, types)
        if strict and (fam not in types or fam not in helps):
            raise Bad(f"{where}: {fam} has no {'TYPE' if fam not in types else 'HELP'} "
                      "before its samples")
        if fam != current:
            if fam in done:
                raise Bad(f"{where}: samples of {fam} are not in one group")
            if current is not None:
                done.add(current)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise Bad(f"{where}: sample {name}{labels} repeated")
        seen.add(key)
        kind = types.get(fam, "untyped")
        if kind == "counter" and (value < 0 or math.isnan(value)):
            raise Bad(f"{where}: counter {name} is negative")
        if kind == "histogram" and name == fam:
            raise Bad(f"{where}: histogram {fam} has a bare sample")
        if kind == "histogram" and name.endswith("_bucket") and "le" not in labels:
            raise Bad(f"{where}: bucket of {fam} without le")
        if kind != "histogram" and "le" in labels and name.endswith("_bucket"):
            raise Bad(f"{where}: {name} has buckets but {fam} is not a histogram")
        samples.append({"name": name, "labels": labels, "value": fields[0], "_v": value,
                        "_fam": fam})
    check_histograms(types, samples)
    for s in samples:
        del s["_v"], s["_fam"]
    fams = {name: {"type": types.get(name, "untyped"), "help": helps.get(name)}
            for name in sorted(set(types) | set(helps))}
    return {"families": fams, "samples": samples}


def check_histograms(types, samples):
    series = {}
    for s in samples:
        if types.get(s["_fam"]) != "histogram":
            continue
        labels = dict(s["labels"])
        le = labels.pop("le", None)
        key = (s["_fam"], tuple(sorted(labels.items())))
        h = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if s["name"].endswith("_bucket"):
            h["buckets"].append((parse_value(le, f"{s['_fam']} le"), s["_v"]))
        elif s["name"].endswith("_sum"):
            h["sum"] = s["_v"]
        else:
            h["count"] = s["_v"]
    for (fam, labels), h in series.items():
        what = f"histogram {fam}{dict(labels)}"
        b = h["buckets"]
        if not b:
            raise Bad(f"{what}: no buckets")
        if b[-1][0] != math.inf:
            raise Bad(f'{what}: buckets do not end with le="+Inf"')
        for (le0, c0), (le1, c1) in zip(b, b[1:]):
            if le1 <= le0:
                raise Bad(f"{what}: le {le1} not above {le0}")
            if c1 < c0:
                raise Bad(f"{what}: bucket le={le1} ({c1}) below le={le0} ({c0}): not cumulative")
        if h["sum"] is None or h["count"] is None:
            raise Bad(f"{what}: _sum or _count missing")
        if h["count"] != b[-1][1]:
            raise Bad(f"{what}: _count {h['count']} differs from the +Inf bucket {b[-1][1]}")


def main():
    args = sys.argv[1:]
    strict = "--lenient" not in args
    args = [a for a in args if a != "--lenient"]
    path = args[0] if args else "-"
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    try:
        text = data.decode("utf-8")
        print(json.dumps(parse(text, strict), sort_keys=True))
    except UnicodeDecodeError as e:
        print(f"prom_parse: not UTF-8: {e}", file=sys.stderr)
        return 1
    except Bad as e:
        print(f"prom_parse: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
