#!/usr/bin/env python3
"""bot-calls.py -- checks on the call log of fake-botapi.py.  Python 3
standard library only.

SYNOPSIS
    bot-calls.py URL CHECK [args]        URL = http://127.0.0.1:PORT

    Reads URL/_fake/calls, prints one line (plain words, then the figure) and
    exits 0 if the check holds, 1 if it does not, 2 on bad arguments or when
    the server cannot be read.  --since SEQ keeps calls with seq > SEQ.

CHECKS
    rate METHOD MAX_OVERALL MAX_PER_CHAT [--since SEQ]
        The largest number of METHOD calls (every call that arrived, whatever
        its answer) inside any window [t, t+1 s), overall and for one chat_id,
        computed exactly over arrival times.  Holds if neither exceeds its MAX.
            max in 1 s: overall 30, per chat 1 (120 calls)
    dupes METHOD [--since SEQ] [--key FIELD[,FIELD...]]
        Fails if one (chat_id, text) pair -- or (chat_id, FIELD...) -- was
        answered 200 more than once; prints the number of extra copies.
    quiet METHOD [--since SEQ]
        For every METHOD call answered 429 with retry_after R at a, fails if
        another METHOD call arrived in (a, a+R); prints the number of 429s
        and the shortest gap from a 429's answer to the next call.
    count METHOD [--status S] [--since SEQ]
        Prints the number of METHOD calls (answered S; S may be "null" for a
        call still hanging); always exits 0.

EXAMPLE
    bot-calls.py http://127.0.0.1:$(cat port) rate sendMessage 30 1
"""
import bisect
import json
import sys
import urllib.parse
import urllib.request
from collections import defaultdict

USAGE = """usage: bot-calls.py URL rate METHOD MAX_OVERALL MAX_PER_CHAT [--since SEQ]
       bot-calls.py URL dupes METHOD [--since SEQ] [--key FIELD[,FIELD...]]
       bot-calls.py URL quiet METHOD [--since SEQ]
       bot-calls.py URL count METHOD [--status S] [--since SEQ]"""


class Usage(Exception):
    """Bad command-line arguments."""


def fetch_calls(url, method, since):
    # The fake's call log for method with seq > since, in arrival order.
    query = urllib.parse.urlencode({"since": since, "method": method})
    with urllib.request.urlopen("%s/_fake/calls?%s" % (url.rstrip("/"), query),
                                timeout=10) as resp:
        return json.load(resp)["calls"]


def chat_of(call):
    # The chat_id of a call as a string ("123" and 123 are one chat).
    return str(call.get("params", {}).get("chat_id"))


def max_in_window(times, width=1.0):
    # Most times inside any half-open window [t, t+width), two pointers.
    times = sorted(times)
    best, left = 0, 0
    for right, t in enumerate(times):
        while t - times[left] >= width:
            left += 1
        best = max(best, right - left + 1)
    return best


def check_rate(calls, max_overall, max_per_chat):
    # Peak calls per second overall and per chat against the limits.
    overall = max_in_window([c["t"] for c in calls])
    by_chat = defaultdict(list)
    for c in calls:
        by_chat[chat_of(c)].append(c["t"])
    per_chat, worst = 0, None
    for chat, times in by_chat.items():
        n = max_in_window(times)
        if n > per_chat:
            per_chat, worst = n, chat
    line = "max in 1 s: overall %d, per chat %d (%d calls)" % (overall, per_chat, len(calls))
    ok = overall <= max_overall and per_chat <= max_per_chat
    if not ok:
        line += " -- FAIL: limits %d overall, %d per chat (worst chat %s)" % (
            max_overall, max_per_chat, worst)
    return ok, line


def check_dupes(calls, keys):
    # Extra 200 answers for one (chat_id, key fields) combination.
    seen = defaultdict(int)
    for c in calls:
        if c.get("status") == 200:
            p = c.get("params", {})
            key = (chat_of(c),) + tuple(json.dumps(p.get(k), sort_keys=True) for k in keys)
            seen[key] += 1
    dupes = {k: n for k, n in seen.items() if n > 1}
    extra = sum(n - 1 for n in dupes.values())
    line = "duplicates answered 200: %d (of %d calls)" % (extra, len(calls))
    if dupes:
        key, n = next(iter(dupes.items()))
        line += " -- FAIL: e.g. chat %s %s x%d" % (
            key[0], ", ".join("%s=%s" % kv for kv in zip(keys, key[1:])), n)
    return not dupes, line


def check_quiet(calls):
    # No call of the method inside (a, a+R) after a 429 with retry_after R
    # answered at a (calls already on their way then cannot be recalled).
    times = sorted(c["t"] for c in calls)
    n429, nearest, violations = 0, None, 0
    for c in calls:
        if c.get("status") != 429:
            continue
        n429 += 1
        r = float(c.get("retry_after") or 0)
        a = c.get("answered", c["t"])
        i = bisect.bisect_right(times, a)
        if i == len(times):
            continue
        gap = times[i] - a
        if nearest is None or gap < nearest[0]:
            nearest = (gap, r)
        if gap < r:
            violations += 1
    if nearest is None:
        line = "429 answers: %d, nearest next call: none" % n429
    else:
        line = "429 answers: %d, nearest next call after a 429's answer: %.3f s (retry_after %g)" % (
            n429, nearest[0], nearest[1])
    if violations:
        line += " -- FAIL: %d call(s) came too early" % violations
    return violations == 0, line


def check_count(calls, status):
    # Number of calls, optionally only those answered status.
    if status is not None:
        want = None if status.lower() in ("null", "none") else int(status)
        calls = [c for c in calls if c.get("status") == want]
    return True, "calls: %d" % len(calls)


def parse_options(args, allowed):
    # Split "--name value" options (only those allowed) from positionals.
    pos, opts = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name = a[2:]
            if name not in allowed or i + 1 >= len(args):
                raise Usage("bad option %s" % a)
            opts[name] = args[i + 1]
            i += 2
        else:
            pos.append(a)
            i += 1
    return pos, opts


def run(argv):
    # Parse argv, run one check, return (ok, line).
    if len(argv) < 3:
        raise Usage("missing arguments")
    url, check, rest = argv[0], argv[1], argv[2:]
    if not url.startswith("http://"):
        raise Usage("URL must be http://HOST:PORT")
    allowed = {"rate": {"since"}, "dupes": {"since", "key"}, "quiet": {"since"},
               "count": {"since", "status"}}.get(check)
    if allowed is None:
        raise Usage("unknown check %r" % check)
    pos, opts = parse_options(rest, allowed)
    nargs = 3 if check == "rate" else 1
    if len(pos) != nargs:
        raise Usage("%s takes %d argument(s)" % (check, nargs))
    try:
        since = int(opts.get("since", 0))
        limits = [int(x) for x in pos[1:]]
        if check == "count" and opts.get("status", "null").lower() not in ("null", "none"):
            int(opts["status"])
    except ValueError:
        raise Usage("a number was expected")
    calls = fetch_calls(url, pos[0], since)
    if check == "rate":
        return check_rate(calls, *limits)
    if check == "dupes":
        keys = [k for k in opts.get("key", "text").split(",") if k]
        return check_dupes(calls, keys or ["text"])
    if check == "quiet":
        return check_quiet(calls)
    return check_count(calls, opts.get("status"))


def main():
    # Exit 0 if the check holds, 1 if not, 2 on usage or connection errors.
    try:
        ok, line = run(sys.argv[1:])
    except Usage as e:
        sys.stderr.write("bot-calls.py: %s\n%s\n" % (e, USAGE))
        sys.exit(2)
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("bot-calls.py: cannot read the call log: %s\n" % e)
        sys.exit(2)
    print(line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
