#!/usr/bin/env python3
"""fake-botapi.py -- a fake Telegram Bot API server on loopback, for the bot
worker's tests.  Python 3 standard library only.

SYNOPSIS
    fake-botapi.py --token TOKEN --portfile FILE [--host 127.0.0.1]
                   [--fixtures DIR] [--log FILE] [--verbose]

    Listens on HOST (only 127.x.x.x is accepted) on a free port, writes the
    port number to PORTFILE (atomically, once listening) and serves until
    SIGTERM or SIGINT; then it removes PORTFILE and exits 0.  HTTP/1.1 with
    keep-alive; every answer has Content-Length and is application/json.

    --fixtures DIR   where sendMessage_403_blocked.json and
                     sendMessage_429_retry_after.json are read from at start
                     (default: <script dir>/../fixtures/telegram-bot)
    --log FILE       also append every bot call as one JSON line (written when
                     the call is answered; a call still hanging at shutdown is
                     written then with "status": null)

BOT METHODS   GET or POST /bot<TOKEN>/<method>
    Parameters come from the query string, a JSON body (application/json) or
    a form body (application/x-www-form-urlencoded), merged in that order.
    Form and query values that look like JSON objects/arrays are decoded
    (reply_markup, allowed_updates), integer-looking ids become integers.

    wrong token          401 {"ok":false,"error_code":401,"description":"Unauthorized"}
    unknown method       404 {"ok":false,"error_code":404,"description":"Not Found"}
    getUpdates           offset, limit (1..100, default 100), timeout (s, default 0),
                         allowed_updates (recorded only, not used for filtering).
                         Updates with update_id < offset are dropped for good
                         (a negative offset keeps only the last -offset ones).
                         Waits up to timeout for an update to arrive.
    sendMessage          {"ok":true,"result":<message>}; message_id counts per chat
                         from 1; a blocked chat gets the 403 fixture.  A missing
                         chat_id / empty text gives 400 like Telegram.
    editMessageText      {"ok":true,"result":<message with edit_date>}
    answerCallbackQuery, setMyCommands, setChatMenuButton, deleteWebhook
                         {"ok":true,"result":true}
    getMe                the bot: id 7000000001, "Cos Test", @cos_test_bot
    Method names are matched case-insensitively, as Telegram does.

CONTROL ENDPOINTS   (no token; JSON in and out)
    POST /_fake/updates    an update or an array of them; missing update_id
                           gets the next one (counter starts at 151184258, an
                           explicit id bumps it past) -> {"queued":[ids]}
    POST /_fake/message    {"chat_id","text","language_code","first_name",
                           "username"} -> a private-chat message update shaped
                           like the getUpdates_start.json fixture -> {"update_id":N}
                           (a field given as null is left out of "from"/"chat")
    POST /_fake/callback   {"chat_id","message_id","data"} -> callback_query update
    POST /_fake/kicked     {"chat_id"} -> my_chat_member update, member -> kicked
    POST /_fake/inject     {"method","status":429|403|500|502|...,"retry_after":R,
                           "delay_ms":MS,"hang":true,"count":N} -> the next N
                           calls of method get that behaviour (injections of one
                           method are used in the order given)
    POST /_fake/release    answers every hanging call normally -> {"released":n}
    POST /_fake/block      {"chat_ids":[...]} -> sendMessage to them answers 403
    GET  /_fake/calls?since=SEQ&method=M
                           {"calls":[{"seq","t","method","params","status"}]}
                           with seq > SEQ, arrival order; "t" is time.time() at
                           arrival, "answered" when the answer was given;
                           "status" is null while hanging; a 429 answer
                           also records "retry_after"
    POST /_fake/reset      clears updates, injections, blocked chats, the call
                           log and all counters; hanging calls are released

EXAMPLE
    fake-botapi.py --token 123:abc --portfile /tmp/p &  sleep 0.5
    curl -s "http://127.0.0.1:$(cat /tmp/p)/bot123:abc/getMe"
"""
import argparse
import copy
import ipaddress
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

FIRST_UPDATE_ID = 151184258          # the fixture's update_id 151184257 + 1
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Cos Test",
            "username": "cos_test_bot"}
METHODS = ["getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery",
           "setMyCommands", "setChatMenuButton", "deleteWebhook", "getMe"]
METHOD_BY_LOWER = {m.lower(): m for m in METHODS}
ERROR_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
              404: "Not Found", 409: "Conflict", 420: "Flood",
              500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Gateway Timeout"}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout",
              "reply_to_message_id", "message_thread_id", "cache_time"}
INT_RE = re.compile(r"-?[0-9]+\Z")


class BadRequest(Exception):
    """A request the fake answers with 400 and this description."""


def tg_error(code, description=None):
    # Telegram's error body for an HTTP status.
    return {"ok": False, "error_code": code,
            "description": description or ERROR_TEXT.get(code, "Error")}


def chat_key(value):
    # Normalise a chat_id (int, "123" or "@name") to one comparable value.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and INT_RE.match(value.strip()):
        return int(value.strip())
    return value


def utf16_len(text):
    # Length in UTF-16 code units, the unit of Telegram entity offsets.
    return len(text.encode("utf-16-le")) // 2


def decode_form_value(key, value):
    # Turn a query/form string into what a JSON body would have carried.
    if key in INT_PARAMS and INT_RE.match(value.strip()):
        return int(value.strip())
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def load_fixtures(directory):
    # Read the 403 and 429 bodies; exit with a message if they are missing.
    bodies = {}
    for code, name in ((403, "sendMessage_403_blocked.json"),
                       (429, "sendMessage_429_retry_after.json")):
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                bodies[code] = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit("fake-botapi: cannot load fixture %s: %s" % (path, e))
    return bodies


class State:
    """Everything the fake remembers, guarded by one Condition."""

    def __init__(self, fixtures, log_path):
        self.cv = threading.Condition()
        self.fixtures = fixtures
        self.log_path = log_path
        self.shutting_down = False
        self.release_gen = 0
        self.reset()

    def reset(self):
        # Forget everything; wake long polls and release hanging calls.
        with self.cv:
            self.updates = []            # pending updates, sorted by update_id
            self.next_update_id = FIRST_UPDATE_ID
            self.injections = {}         # method -> [entry with "left"]
            self.blocked = set()
            self.calls = []
            self.seq = 0
            self.sent_ids = {}           # chat -> last message_id sent by the bot
            self.user_ids = {}           # chat -> last message_id sent by the user
            self.callback_n = 0
            self.reset_gen = getattr(self, "reset_gen", 0) + 1
            self.release_gen += 1
            self.cv.notify_all()

    # --- call log -------------------------------------------------------

    def record(self, t, method, params):
        # Append a call (status null) to the log and return it.
        with self.cv:
            self.seq += 1
            rec = {"seq": self.seq, "t": t, "method": method,
                   "params": params, "status": None}
            self.calls.append(rec)
            return rec

    def finish(self, rec, status, retry_after=None):
        # Set the answered status of a call and append it to --log.
        with self.cv:
            rec["status"] = status
            rec["answered"] = time.time()
            if retry_after is not None:
                rec["retry_after"] = retry_after
            self.write_log(rec)

    def write_log(self, rec):
        # One JSON line per call in the --log file (caller holds the lock).
        if self.log_path and not rec.get("_logged"):
            rec["_logged"] = True
            line = {k: v for k, v in rec.items() if not k.startswith("_")}
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")

    def list_calls(self, since, method):
        # Calls with seq > since (and of method, if given), arrival order.
        with self.cv:
            return [{k: v for k, v in c.items() if not k.startswith("_")}
                    for c in self.calls
                    if c["seq"] > since and (method is None or c["method"] == method)]

    # --- updates --------------------------------------------------------

    def push(self, update):
        # Queue one update, numbering it if needed; returns its update_id.
        with self.cv:
            if "update_id" in update:
                uid = int(update["update_id"])
                update["update_id"] = uid
                self.next_update_id = max(self.next_update_id, uid + 1)
            else:
                uid = self.next_update_id
                self.next_update_id += 1
                update = dict({"update_id": uid}, **update)
            self.updates.append(update)
            self.updates.sort(key=lambda u: u["update_id"])
            self.cv.notify_all()
            return uid

    def confirm(self, offset):
        # Drop updates confirmed by offset (caller holds the lock).
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def get_updates(self, offset, limit, timeout):
        # Confirm, then return up to limit pending updates, waiting if none.
        deadline = time.monotonic() + timeout
        with self.cv:
            gen = self.reset_gen
            self.confirm(offset)
            while True:
                pending = [u for u in self.updates
                           if offset <= 0 or u["update_id"] >= offset][:limit]
                left = deadline - time.monotonic()
                if pending or left <= 0 or self.shutting_down or gen != self.reset_gen:
                    return copy.deepcopy(pending)
                self.cv.wait(left)

    # --- injections -----------------------------------------------------

    def take_injection(self, method):
        # Consume one use of the oldest injection for method, or None.
        with self.cv:
            queue = self.injections.get(method)
            if not queue:
                return None
            entry = queue[0]
            entry["left"] -= 1
            if entry["left"] <= 0:
                queue.pop(0)
            return dict(entry)

    def wait_release(self):
        # Block until /_fake/release or reset (True) or shutdown (False).
        with self.cv:
            gen = self.release_gen
            self.cv.wait_for(lambda: self.release_gen != gen or self.shutting_down)
            return not self.shutting_down

    def sleep(self, seconds):
        # Sleep, cut short by shutdown.
        with self.cv:
            self.cv.wait_for(lambda: self.shutting_down, timeout=seconds)

    def stop(self):
        # Wake every waiter for shutdown and log the calls never answered.
        with self.cv:
            self.shutting_down = True
            self.cv.notify_all()
            for rec in self.calls:
                if rec["status"] is None:
                    self.write_log(rec)


# --- update builders ------------------------------------------------------

def user_of(body, chat_id):
    # A Telegram User for the private chat chat_id (null fields left out).
    user = {"id": chat_id, "is_bot": False,
            "first_name": body.get("first_name", "Test User"),
            "username": body.get("username", "user%s" % chat_id),
            "language_code": body.get("language_code", "en")}
    return {k: v for k, v in user.items() if v is not None}


def private_chat(user):
    # The private Chat with user, shaped like the fixture's.
    chat = {"id": user["id"], "first_name": user.get("first_name"),
            "username": user.get("username"), "type": "private"}
    return {k: v for k, v in chat.items() if v is not None}


def require_chat(body):
    # The chat_id of a control body, as an integer; 400 if missing.
    if not isinstance(body, dict) or body.get("chat_id") is None:
        raise BadRequest("chat_id is required")
    return chat_key(body["chat_id"])


class Handler(BaseHTTPRequestHandler):
    """One connection; GET and POST go through dispatch()."""

    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: an answer's headers and body go in two writes, and Nagle
    # would hold the second until the client's delayed ACK (40 ms on Linux)
    disable_nagle_algorithm = True
    server_version = "fake-botapi/1"

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def log_message(self, fmt, *args):
        # Access log on stderr only with --verbose.
        if self.server.verbose:
            sys.stderr.write("fake-botapi: %s\n" % (fmt % args))

    # --- plumbing -------------------------------------------------------

    def read_body(self):
        # The request body (Content-Length or chunked), b"" if none.
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, status, obj, headers=()):
        # Answer with a JSON body, Content-Length and extra headers.
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def dispatch(self):
        # Route one request to a control endpoint or a bot method.
        t = time.time()
        url = urlsplit(self.path)
        try:
            body = self.read_body()
            if url.path.startswith("/_fake/"):
                self.control(url.path[len("/_fake/"):], url.query, body)
                return
            m = re.fullmatch(r"/bot([^/]+)/([^/]+)", url.path)
            if not m:
                self.send_json(404, tg_error(404))
                return
            self.bot_call(t, unquote(m.group(1)), unquote(m.group(2)), url.query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:                       # a bug in the fake itself
            traceback.print_exc()
            self.send_json(500, tg_error(500, "fake-botapi internal error: %s" % e))

    def parse_params(self, query, body):
        # Merge query string and JSON/form body into one dict.
        params = {k: decode_form_value(k, v)
                  for k, v in parse_qsl(query, keep_blank_values=True)}
        if not body.strip():
            return params
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not ctype:
            ctype = "application/json" if body.lstrip()[:1] == b"{" \
                else "application/x-www-form-urlencoded"
        if ctype == "application/json":
            try:
                obj = json.loads(body.decode("utf-8"))
            except ValueError as e:
                raise BadRequest("can't parse JSON body: %s" % e)
            if not isinstance(obj, dict):
                raise BadRequest("JSON body is not an object")
            params.update(obj)
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                params[k] = decode_form_value(k, v)
        else:
            raise BadRequest("unsupported Content-Type %s" % ctype)
        return params

    # --- bot methods ----------------------------------------------------

    def bot_call(self, t, token, name, query, body):
        # Record a bot call, apply any injection, answer it.
        state = self.server.state
        method = METHOD_BY_LOWER.get(name.lower(), name)
        try:
            params = self.parse_params(query, body)
        except BadRequest as e:
            rec = state.record(t, method, {})
            self.answer(rec, 400, tg_error(400, "Bad Request: %s" % e))
            return
        rec = state.record(t, method, params)
        if token != self.server.token:
            self.answer(rec, 401, tg_error(401))
            return
        if method not in METHODS:
            self.answer(rec, 404, tg_error(404))
            return
        inj = state.take_injection(method)
        if inj:
            if inj.get("delay_ms"):
                state.sleep(inj["delay_ms"] / 1000.0)
            if inj.get("hang") and not state.wait_release():
                self.close_connection = True       # shutdown: never answered
                return
            status = inj.get("status")
            if status and status != 200:
                self.answer_error(rec, status, inj.get("retry_after"))
                return
        try:
            status, obj = getattr(self, "m_" + method)(params)
        except (BadRequest, ValueError, TypeError) as e:
            status, obj = 400, tg_error(400, "Bad Request: %s" % e)
        self.answer(rec, status, obj)

    def answer(self, rec, status, obj, headers=(), retry_after=None):
        # Send the answer and record its status.
        self.server.state.finish(rec, status, retry_after)
        self.send_json(status, obj, headers)

    def answer_error(self, rec, status, retry_after=None):
        # An error answer in Telegram's shape (fixtures for 403 and 429).
        fixtures = self.server.state.fixtures
        if status == 403:
            self.answer(rec, 403, copy.deepcopy(fixtures[403]))
        elif status == 429:
            ra = int(retry_after if retry_after is not None else 1)
            obj = copy.deepcopy(fixtures[429])
            desc = obj.get("description", "")
            obj["description"] = (re.sub(r"retry after \d+", "retry after %d" % ra, desc)
                                  if re.search(r"retry after \d+", desc)
                                  else "Too Many Requests: retry after %d" % ra)
            obj.setdefault("parameters", {})["retry_after"] = ra
            self.answer(rec, 429, obj, [("Retry-After", str(ra))], retry_after=ra)
        else:
            self.answer(rec, status, tg_error(status))

    def message(self, chat_id, message_id, text, params):
        # A bot message as sendMessage/editMessageText return it.
        msg = {"message_id": message_id, "from": dict(BOT_USER),
               "chat": {"id": chat_id, "type": "private"},
               "date": int(time.time()), "text": text}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return msg

    def m_getUpdates(self, p):
        # Long polling with Telegram's offset confirmation.
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        result = self.server.state.get_updates(offset, limit, timeout)
        return 200, {"ok": True, "result": result}

    def m_sendMessage(self, p):
        # A new message in chat_id, or 403 if the chat blocked the bot.
        state = self.server.state
        if p.get("chat_id") in (None, ""):
            raise BadRequest("chat_id is empty")
        if not isinstance(p.get("text"), str) or not p["text"]:
            raise BadRequest("message text is empty")
        chat = chat_key(p["chat_id"])
        with state.cv:
            if chat in state.blocked:
                return 403, copy.deepcopy(state.fixtures[403])
            state.sent_ids[chat] = n = state.sent_ids.get(chat, 0) + 1
        return 200, {"ok": True, "result": self.message(chat, n, p["text"], p)}

    def m_editMessageText(self, p):
        # The edited message (or true for inline messages).
        if p.get("inline_message_id"):
            return 200, {"ok": True, "result": True}
        if p.get("chat_id") in (None, "") or p.get("message_id") in (None, ""):
            raise BadRequest("chat_id and message_id are required")
        if not isinstance(p.get("text"), str) or not p["text"]:
            raise BadRequest("message text is empty")
        msg = self.message(chat_key(p["chat_id"]), int(p["message_id"]), p["text"], p)
        msg["edit_date"] = msg["date"]
        return 200, {"ok": True, "result": msg}

    def m_true(self, p):
        # Methods whose result is just true.
        return 200, {"ok": True, "result": True}

    m_answerCallbackQuery = m_setMyCommands = m_setChatMenuButton = m_deleteWebhook = m_true

    def m_getMe(self, p):
        # The fake bot's own User.
        return 200, {"ok": True, "result": dict(BOT_USER)}

    # --- control endpoints ----------------------------------------------

    def control(self, name, query, body):
        # /_fake/<name>: parse the JSON body, run c_<name>, answer JSON.
        handler = getattr(self, "c_" + name, None)
        if handler is None or not re.fullmatch(r"[a-z]+", name):
            self.send_json(404, {"error": "unknown control endpoint /_fake/%s" % name})
            return
        try:
            obj = json.loads(body.decode("utf-8")) if body.strip() else {}
            status, answer = handler(obj, dict(parse_qsl(query)))
        except (BadRequest, ValueError, TypeError, KeyError) as e:
            status, answer = 400, {"error": str(e)}
        self.send_json(status, answer)

    def c_updates(self, body, q):
        # Queue one update or an array of them.
        items = body if isinstance(body, list) else [body]
        if not all(isinstance(u, dict) for u in items):
            raise BadRequest("an update must be a JSON object")
        return 200, {"queued": [self.server.state.push(dict(u)) for u in items]}

    def c_message(self, body, q):
        # A private-chat text message from the user chat_id.
        state = self.server.state
        chat = require_chat(body)
        text = str(body.get("text", ""))
        user = user_of(body, chat)
        with state.cv:
            state.user_ids[chat] = n = state.user_ids.get(chat, 0) + 1
        msg = {"message_id": n, "from": user, "chat": private_chat(user),
               "date": int(time.time()), "text": text}
        if text.startswith("/"):
            msg["entities"] = [{"offset": 0, "length": utf16_len(text.split()[0]),
                                "type": "bot_command"}]
        return 200, {"update_id": state.push({"message": msg})}

    def c_callback(self, body, q):
        # A callback_query: the user pressed a button under message_id.
        state = self.server.state
        chat = require_chat(body)
        user = user_of(body, chat)
        with state.cv:
            state.callback_n += 1
            cq_id = str(4000000000000000000 + state.callback_n)
        cq = {"id": cq_id, "from": user,
              "message": {"message_id": int(body.get("message_id", 1)),
                          "chat": private_chat(user), "date": int(time.time()),
                          "text": ""},
              "chat_instance": str(-(5000000000000000000 + zlib.crc32(str(chat).encode()))),
              "data": str(body.get("data", ""))}
        return 200, {"update_id": state.push({"callback_query": cq})}

    def c_kicked(self, body, q):
        # A my_chat_member update: the user blocked the bot.
        chat = require_chat(body)
        user = user_of(body, chat)
        mcm = {"chat": private_chat(user), "from": user, "date": int(time.time()),
               "old_chat_member": {"user": dict(BOT_USER), "status": "member"},
               "new_chat_member": {"user": dict(BOT_USER), "status": "kicked",
                                   "until_date": 0}}
        return 200, {"update_id": self.server.state.push({"my_chat_member": mcm})}

    def c_inject(self, body, q):
        # Make the next count calls of a method fail, slow down or hang.
        if not isinstance(body, dict) or not isinstance(body.get("method"), str):
            raise BadRequest("inject needs a \"method\"")
        entry = {"method": METHOD_BY_LOWER.get(body["method"].lower(), body["method"]),
                 "count": int(body.get("count", 1))}
        if entry["count"] < 1:
            raise BadRequest("count must be >= 1")
        if body.get("status") is not None:
            entry["status"] = int(body["status"])
            if not 100 <= entry["status"] <= 599:
                raise BadRequest("bad status")
            if entry["status"] == 429:
                entry["retry_after"] = int(body.get("retry_after", 1))
        if body.get("delay_ms"):
            entry["delay_ms"] = int(body["delay_ms"])
        if body.get("hang"):
            entry["hang"] = True
        if not any(k in entry for k in ("status", "delay_ms", "hang")):
            raise BadRequest("inject needs status, delay_ms or hang")
        state = self.server.state
        with state.cv:
            state.injections.setdefault(entry["method"], []).append(
                dict(entry, left=entry["count"]))
        return 200, {"injected": entry}

    def c_release(self, body, q):
        # Let every hanging call go on and be answered normally.
        state = self.server.state
        with state.cv:
            n = sum(1 for c in state.calls if c["status"] is None)
            state.release_gen += 1
            state.cv.notify_all()
        return 200, {"released": n}

    def c_block(self, body, q):
        # Chats that answer sendMessage with 403 from now on.
        ids = body.get("chat_ids") if isinstance(body, dict) else None
        if not isinstance(ids, list):
            raise BadRequest("block needs \"chat_ids\": [...]")
        state = self.server.state
        with state.cv:
            state.blocked.update(chat_key(i) for i in ids)
            return 200, {"blocked": sorted(state.blocked, key=str)}

    def c_calls(self, body, q):
        # The call log, filtered by since (seq >) and method.
        since = int(q.get("since") or 0)
        return 200, {"calls": self.server.state.list_calls(since, q.get("method") or None)}

    def c_reset(self, body, q):
        # Start over.
        self.server.state.reset()
        return 200, {"reset": True}


def main():
    # Parse arguments, bind, write the port file, serve until SIGTERM.
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="A fake Telegram Bot API on loopback.")
    ap.add_argument("--token", required=True)
    ap.add_argument("--portfile", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "fixtures", "telegram-bot"))
    ap.add_argument("--log")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    try:
        if ipaddress.ip_address(args.host) not in ipaddress.ip_network("127.0.0.0/8"):
            raise ValueError
    except ValueError:
        sys.exit("fake-botapi: refusing host %r: only 127.x.x.x is allowed" % args.host)

    state = State(load_fixtures(args.fixtures), args.log)
    server = ThreadingHTTPServer((args.host, 0), Handler)
    server.daemon_threads = True
    server.state, server.token, server.verbose = state, args.token, args.verbose
    port = server.server_address[1]

    def on_signal(signum, frame):
        # Stop serving from another thread (shutdown() waits for the loop).
        state.stop()
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tmp = args.portfile + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.portfile)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        state.stop()
        server.server_close()
        try:
            with open(args.portfile) as f:
                if f.read().strip() == str(port):
                    os.unlink(args.portfile)
        except OSError:
            pass


if __name__ == "__main__":
    main()
